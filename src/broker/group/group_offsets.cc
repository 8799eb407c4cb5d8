// Offsets and group administration: OffsetCommit, OffsetFetch, OffsetDelete, ListGroups,
// DescribeGroups, DeleteGroups, topic deletion and offset expiry. Membership is in
// group_coordinator.cc.
#include <algorithm>

#include "base/log.h"
#include "broker/group/group_actions.h"
#include "broker/group/group_coordinator.h"
#include "broker/group/group_state_codec.h"
#include "storage/group_store.h"

namespace brook::broker::group {

void group_coordinator::commit_offsets(offset_commit_request req, commit_callback done) {
  actions out;
  std::lock_guard lock(_mutex);
  size_t n = req.offsets.size();
  auto all = [&](kafka_error e) {
    out.add([done = std::move(done), n, e] { done(std::vector<kafka_error>(n, e)); });
  };
  group* gp = find(req.group_id);
  if (req.transactional) {
    if (gp == nullptr) {
      gp = &find_or_create(req.group_id);
    }
  } else if (gp == nullptr) {
    if (req.generation >= 0) {
      // A member of a generation this coordinator does not know.
      all(kafka_error::illegal_generation);
      return;
    }
    gp = &find_or_create(req.group_id);  // a group that only stores offsets
  } else if (req.generation < 0 && gp->state == group_state::empty) {
    // A commit outside group management (admin tools, assign()-only consumers).
  } else if (gp->is_fenced(req.instance_id, req.member_id)) {
    all(kafka_error::fenced_instance_id);
    return;
  } else if (gp->state == group_state::completing_rebalance) {
    all(kafka_error::rebalance_in_progress);
    return;
  } else if (!gp->has_member(req.member_id)) {
    all(kafka_error::unknown_member_id);
    return;
  } else if (req.generation != gp->generation) {
    all(kafka_error::illegal_generation);
    return;
  } else {
    gp->members.at(req.member_id).last_heartbeat = _clock.steady();
  }
  group& g = *gp;
  std::vector<kafka_error> errors(n, kafka_error::none);
  storage::group_changes changes;
  changes.group = g.id;
  int64_t now_ms = _clock.wall_ms();
  std::vector<size_t> written;
  for (size_t i = 0; i < n; ++i) {
    auto& o = req.offsets[i];
    if (o.metadata && o.metadata->size() > static_cast<size_t>(_config.offset_metadata_max_bytes)) {
      errors[i] = kafka_error::offset_metadata_too_large;
    } else if (!_partition_exists(o.topic, o.partition)) {
      errors[i] = kafka_error::unknown_topic_or_partition;
    } else {
      changes.commit.push_back(
          {o.topic, o.partition, o.offset, o.leader_epoch, o.metadata.value_or(""), now_ms});
      written.push_back(i);
    }
  }
  if (changes.commit.empty()) {
    out.add([done = std::move(done), errors = std::move(errors)] { done(errors); });
    return;
  }
  // The offsets become visible (OffsetFetch) once durable, then the commit is answered.
  auto commits = changes.commit;
  std::string id = g.id;
  out.add_write(
      _store, std::move(changes),
      [this, id, commits = std::move(commits), written = std::move(written),
       errors = std::move(errors), done = std::move(done)](status st) mutable {
        if (!st) {
          log::error("group '{}': cannot store committed offsets: {}", id, st.error().message());
          for (size_t i : written) {
            errors[i] = kafka_error::coordinator_not_available;
          }
        } else {
          std::lock_guard lock(_mutex);
          if (group* g = find(id)) {
            for (const auto& c : commits) {
              g->offsets[{c.topic, c.partition}] =
                  committed{c.offset, c.leader_epoch, c.metadata.value_or(""), c.commit_time_ms};
            }
          }
        }
        done(errors);
      });
}

kafka_error group_coordinator::check_transactional_member(
    const std::string& group_id, int32_t generation, const std::string& member_id,
    const std::optional<std::string>& instance_id) {
  std::lock_guard lock(_mutex);
  if (generation < 0 && member_id.empty()) {
    return kafka_error::none;  // a client before KIP-447
  }
  group* g = find(group_id);
  if (g == nullptr) {
    return kafka_error::illegal_generation;
  }
  if (g->is_fenced(instance_id, member_id)) {
    return kafka_error::fenced_instance_id;
  }
  if (!g->has_member(member_id)) {
    return kafka_error::unknown_member_id;
  }
  if (generation != g->generation) {
    return kafka_error::illegal_generation;
  }
  return kafka_error::none;
}

std::vector<fetched_offset> group_coordinator::fetch_offsets(
    const std::string& group_id, const std::optional<std::vector<topic_partition>>& partitions) {
  std::lock_guard lock(_mutex);
  std::vector<fetched_offset> r;
  group* g = find(group_id);
  if (!partitions) {
    if (g != nullptr) {
      for (const auto& [tp, c] : g->offsets) {
        r.push_back({tp.first, tp.second, c});
      }
    }
    return r;
  }
  for (const auto& tp : *partitions) {
    fetched_offset f{tp.first, tp.second, committed{}};
    if (g != nullptr) {
      if (auto it = g->offsets.find(tp); it != g->offsets.end()) {
        f.value = it->second;
      }
    }
    r.push_back(std::move(f));
  }
  return r;
}

std::vector<group_listing> group_coordinator::list_groups() {
  std::lock_guard lock(_mutex);
  std::vector<group_listing> r;
  for (const auto& [id, g] : _groups) {
    r.push_back({id, g->protocol_type, g->state, g->members.size(), g->generation});
  }
  return r;
}

group_description group_coordinator::describe(const std::string& group_id) {
  std::lock_guard lock(_mutex);
  group_description d;
  d.group_id = group_id;
  group* g = find(group_id);
  if (g == nullptr) {
    return d;  // Dead, as Kafka describes a group it does not know
  }
  d.state = g->state;
  d.protocol_type = g->protocol_type;
  bool stable = g->state == group_state::stable;
  if (stable) {
    d.protocol_name = g->protocol_name.value_or("");
  }
  for (const auto& [id, m] : g->members) {
    member_description md{id, m.instance_id, m.client_id, m.client_host, {}, {}};
    if (stable) {
      md.metadata = m.metadata_for(d.protocol_name);
      md.assignment = m.assignment;
    }
    d.members.push_back(std::move(md));
  }
  return d;
}

void group_coordinator::delete_groups(std::vector<std::string> group_ids,
                                      std::function<void(std::vector<kafka_error>)> done) {
  actions out;
  std::lock_guard lock(_mutex);
  auto errors = std::make_shared<std::vector<kafka_error>>(group_ids.size(), kafka_error::none);
  std::vector<storage::group_changes> writes;
  for (size_t i = 0; i < group_ids.size(); ++i) {
    group* g = find(group_ids[i]);
    if (g == nullptr || g->state == group_state::dead) {
      (*errors)[i] = kafka_error::group_id_not_found;
    } else if (g->state != group_state::empty || !g->pending_members.empty()) {
      (*errors)[i] = kafka_error::non_empty_group;
    } else {
      log::info("group '{}': deleted ({} committed offsets)", g->id, g->offsets.size());
      storage::group_changes c;
      c.group = g->id;
      c.delete_group = true;
      writes.push_back(std::move(c));
      remove_group(group_ids[i]);
    }
  }
  if (writes.empty()) {
    out.add([done = std::move(done), errors] { done(*errors); });
    return;
  }
  // Answered once the last deletion is durable (writes are applied in order).
  auto failed = std::make_shared<bool>(false);
  for (size_t w = 0; w < writes.size(); ++w) {
    bool last = w + 1 == writes.size();
    std::string id = writes[w].group;
    storage::group_store::done_fn cb = [id, failed, last, errors, done](status st) {
      if (!st) {
        log::error("group '{}': cannot store its deletion: {}", id, st.error().message());
        *failed = true;
      }
      if (last) {
        if (*failed) {
          for (auto& e : *errors) {
            if (e == kafka_error::none) {
              e = kafka_error::coordinator_not_available;
            }
          }
        }
        done(*errors);
      }
    };
    out.add_write(_store, std::move(writes[w]), std::move(cb));
  }
}

void group_coordinator::delete_offsets(
    const std::string& group_id, std::vector<topic_partition> partitions,
    std::function<void(kafka_error, std::vector<kafka_error>)> done) {
  actions out;
  std::lock_guard lock(_mutex);
  std::vector<kafka_error> errors(partitions.size(), kafka_error::none);
  group* g = find(group_id);
  if (g == nullptr || g->state == group_state::dead) {
    out.add([done = std::move(done)] { done(kafka_error::group_id_not_found, {}); });
    return;
  }
  std::vector<std::string> subscribed;
  if (g->state != group_state::empty) {
    if (g->protocol_type != "consumer") {
      out.add([done = std::move(done)] { done(kafka_error::non_empty_group, {}); });
      return;
    }
    subscribed = g->subscribed_topics();
  }
  storage::group_changes changes;
  changes.group = g->id;
  for (size_t i = 0; i < partitions.size(); ++i) {
    const auto& tp = partitions[i];
    if (std::find(subscribed.begin(), subscribed.end(), tp.first) != subscribed.end()) {
      errors[i] = kafka_error::group_subscribed_to_topic;
      continue;
    }
    if (!_partition_exists(tp.first, tp.second)) {
      errors[i] = kafka_error::unknown_topic_or_partition;
      continue;
    }
    if (g->offsets.erase(tp) > 0) {
      changes.remove.push_back(tp);
    }
  }
  if (changes.remove.empty()) {
    out.add(
        [done = std::move(done), errors = std::move(errors)] { done(kafka_error::none, errors); });
    return;
  }
  out.add_write(_store, std::move(changes),
                [id = g->id, errors = std::move(errors), done = std::move(done)](status st) {
                  if (!st) {
                    log::error("group '{}': cannot store deleted offsets: {}", id,
                               st.error().message());
                    done(kafka_error::coordinator_not_available, {});
                    return;
                  }
                  done(kafka_error::none, errors);
                });
}

void group_coordinator::topic_deleted(const std::string& topic) {
  actions out;
  std::lock_guard lock(_mutex);
  for (auto& [id, g] : _groups) {
    std::erase_if(g->offsets, [&](const auto& kv) { return kv.first.first == topic; });
  }
  _store.remove_topic(topic, [topic](status st) {
    if (!st) {
      log::error("cannot remove the committed offsets of deleted topic '{}': {}", topic,
                 st.error().message());
    }
  });
}

void group_coordinator::expire_offsets(int64_t now_ms) {
  actions out;
  std::lock_guard lock(_mutex);
  size_t expired = 0;
  std::vector<std::string> dead;
  for (auto& [id, gp] : _groups) {
    group& g = *gp;
    if (g.state != group_state::empty) {
      continue;
    }
    storage::group_changes changes;
    changes.group = id;
    for (auto it = g.offsets.begin(); it != g.offsets.end();) {
      // KIP-211: a group's offsets expire once it has been empty for the retention time;
      // a group that only stores offsets expires each one from its commit.
      int64_t base = g.protocol_type.empty() ? it->second.commit_time_ms
                                             : std::max(g.state_since_ms, int64_t{0});
      if (now_ms - base >= _config.offsets_retention_ms) {
        changes.remove.push_back(it->first);
        it = g.offsets.erase(it);
      } else {
        ++it;
      }
    }
    expired += changes.remove.size();
    if (g.offsets.empty() && g.pending_members.empty()) {
      dead.push_back(id);
      changes.remove.clear();
      changes.delete_group = true;
    }
    if (changes.delete_group || !changes.remove.empty()) {
      // An init-capture: clang (the linter) cannot capture a structured binding by name.
      out.add_write(_store, std::move(changes), [id = id](status st) {
        if (!st) {
          log::error("group '{}': cannot store expired offsets: {}", id, st.error().message());
        }
      });
    }
  }
  for (const auto& id : dead) {
    remove_group(id);
  }
  if (expired > 0 || !dead.empty()) {
    log::info("groups: {} committed offsets expired, {} empty groups removed", expired,
              dead.size());
  }
}

}  // namespace brook::broker::group
