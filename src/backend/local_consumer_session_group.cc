// local_consumer_session's group membership (subscribed mode: join, sync, rebalances,
// leaving) and its timer (heartbeats, rebalance and metadata checks, auto commit); the
// calls, positions and polls are in local_consumer_session.cc.
#include <algorithm>
#include <set>

#include <boost/asio/steady_timer.hpp>

#include "backend/local_consumer_session.h"
#include "base/log.h"
#include "broker/broker.h"
#include "broker/group/assignors.h"
#include "broker/group/group_coordinator.h"
#include "protocol/consumer_protocol.h"
#include "storage/partition_log.h"

namespace brook::backend {

namespace {
namespace asio = boost::asio;
namespace group = broker::group;
using protocol::kafka_error;
using std::chrono::steady_clock;
}  // namespace

// ---- group membership ----

std::vector<std::string> local_consumer_session::subscribed_topics() const {
  if (!_pattern) {
    return _topics;
  }
  std::vector<std::string> out;
  for (const auto& t : _broker.topics().list()) {
    if (_pattern->matches(t->name)) {
      out.push_back(t->name);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::map<std::string, int32_t> local_consumer_session::watched_partition_counts() const {
  std::set<std::string> names;
  for (const auto& t : subscribed_topics()) {
    names.insert(t);
  }
  names.insert(_group_topics.begin(), _group_topics.end());
  std::map<std::string, int32_t> out;
  for (const auto& name : names) {
    auto t = _broker.topics().find(name);
    out[name] = t ? t->partition_count() : 0;
  }
  return out;
}

void local_consumer_session::start_join() {
  if (_in_flight) {
    _rejoin_after = true;
    return;
  }
  _in_flight = true;
  _rejoin_after = false;
  _joined = false;
  _group_topics.clear();
  _watched = watched_partition_counts();
  _next_metadata_check = steady_clock::now() + metadata_interval;
  auto metadata = protocol::encode_consumer_subscription(subscribed_topics());
  group::join_request req;
  req.group_id = _options.group;
  req.member_id = _member_id;
  req.instance_id = _options.instance_id;
  req.client_id = _options.client_id;
  req.client_host = _options.client_host;
  req.session_timeout_ms = static_cast<int32_t>(_options.session_timeout.count());
  req.rebalance_timeout_ms = static_cast<int32_t>(_options.rebalance_timeout.count());
  req.protocol_type = "consumer";
  req.protocols = {{group::range_assignor, metadata}, {group::roundrobin_assignor, metadata}};
  req.require_known_member_id = true;
  auto self = shared_from_this();
  _broker.groups().join(std::move(req), [self](group::join_result r) {
    self->on_executor([self, r = std::move(r)]() mutable { self->on_join(r); });
  });
}

void local_consumer_session::on_join(const group::join_result& r) {
  _in_flight = false;
  if (_closed || _mode != mode::subscribed) {
    if (r.error == kafka_error::none && !r.member_id.empty()) {
      _member_id = r.member_id;  // joined after all: leave again
    }
    leave_group();
    return;
  }
  if (!r.member_id.empty() &&
      (r.error == kafka_error::none || r.error == kafka_error::member_id_required)) {
    _member_id = r.member_id;
  }
  if (r.error == kafka_error::member_id_required || _rejoin_after) {
    start_join();
    return;
  }
  if (r.error == kafka_error::unknown_member_id || r.error == kafka_error::illegal_generation) {
    _member_id.clear();
    start_join();
    return;
  }
  if (r.error != kafka_error::none) {
    join_refused(r.error);
    return;
  }
  if (_join_refusals > 0) {
    log::info("REST consumer session of group '{}': joined after {} refusals", _options.group,
              _join_refusals);
  }
  _join_refusals = 0;
  _last_join_error = kafka_error::none;
  _generation = r.generation;
  group::sync_request req;
  req.group_id = _options.group;
  req.generation = r.generation;
  req.member_id = _member_id;
  req.instance_id = _options.instance_id;
  req.protocol_type = "consumer";
  req.protocol_name = r.protocol_name;
  if (r.leader == _member_id) {
    std::map<std::string, std::vector<std::string>> members;
    std::set<std::string> topics;
    for (const auto& m : r.members) {
      auto sub = protocol::parse_consumer_subscription(m.metadata);
      members[m.member_id] = sub ? sub->topics : std::vector<std::string>{};
      topics.insert(members[m.member_id].begin(), members[m.member_id].end());
    }
    std::map<std::string, int32_t> counts;
    for (const auto& name : topics) {
      if (auto t = _broker.topics().find(name)) {
        counts[name] = t->partition_count();
      }
    }
    auto assigned = group::assign(r.protocol_name.value_or(""), members, counts);
    if (assigned) {
      for (const auto& [member, partitions] : *assigned) {
        req.assignments.emplace_back(member, protocol::encode_consumer_assignment(partitions));
      }
    }
    _group_topics.assign(topics.begin(), topics.end());
    // What this assignment was computed from (the members' subscriptions as they joined):
    // a topic created or grown since then shows as a change at the next metadata check.
    for (const auto& name : topics) {
      auto it = counts.find(name);
      _watched[name] = it == counts.end() ? 0 : it->second;
    }
  }
  _in_flight = true;
  auto self = shared_from_this();
  const int32_t generation = r.generation;
  _broker.groups().sync(std::move(req), [self, generation](group::sync_result s) {
    self->on_executor([self, s = std::move(s), generation]() mutable {
      self->on_sync(std::move(s), generation);
    });
  });
}

void local_consumer_session::on_sync(group::sync_result r, int32_t generation) {
  _in_flight = false;
  if (_closed || _mode != mode::subscribed) {
    leave_group();
    return;
  }
  if (_rejoin_after || r.error == kafka_error::rebalance_in_progress) {
    start_join();
    return;
  }
  if (r.error != kafka_error::none) {
    // ILLEGAL_GENERATION: a newer generation began; the member id stays ours.
    if (r.error == kafka_error::unknown_member_id) {
      _member_id.clear();
    }
    start_join();
    return;
  }
  std::vector<topic_partition> parts;
  if (!r.assignment.empty()) {
    auto a = protocol::parse_consumer_assignment(r.assignment);
    if (a) {
      for (const auto& [topic, ps] : a->partitions) {
        for (int32_t p : ps) {
          parts.push_back({topic, p});
        }
      }
    } else {
      log::warn("REST consumer session of group '{}': the leader's assignment cannot be read",
                _options.group);
    }
  }
  _generation = generation;
  _joined = true;
  set_assignment(parts, false);
}

void local_consumer_session::join_refused(kafka_error error) {
  // INCONSISTENT_GROUP_PROTOCOL (the group's members speak another protocol type or
  // assignor), GROUP_MAX_SIZE_REACHED, a coordinator going down: none of them passes by
  // itself at once, so each try waits longer than the last.
  auto backoff = std::min<std::chrono::milliseconds>(
      tick * (int64_t{1} << std::min(_join_refusals, 10)), longest_join_backoff);
  ++_join_refusals;
  if (error != _last_join_error) {
    log::warn(
        "REST consumer session of group '{}' cannot join the group: {}; trying again "
        "after {} ms, then less often",
        _options.group, protocol::kafka_error_name(error), backoff.count());
  } else {
    log::debug("REST consumer session of group '{}': join refused again ({}), next try in {} ms",
               _options.group, protocol::kafka_error_name(error), backoff.count());
  }
  _last_join_error = error;
  _join_retry_at = steady_clock::now() + backoff;
  _rejoin_after = true;
}

void local_consumer_session::rejoin() {
  auto offsets = positions_to_commit();
  auto go = [this](const outcome<void>&) {
    if (_closed || _mode != mode::subscribed) {
      return;
    }
    clear_assignment();
    start_join();
  };
  if (_options.auto_commit && _joined && !offsets.empty()) {
    _joined = false;  // no second commit from the timer meanwhile
    commit_now(std::move(offsets), std::move(go));
  } else {
    _joined = false;
    go(outcome<void>{});
  }
}

void local_consumer_session::leave_group() {
  if (!_member_id.empty()) {
    // A join or sync in flight is answered UNKNOWN_MEMBER_ID, and its answer finds the
    // session unsubscribed.
    _broker.groups().leave(_options.group, {{_member_id, _options.instance_id}});
    _member_id.clear();
  }
  _joined = false;
  _generation = -1;
}

// ---- the timer ----

void local_consumer_session::schedule_tick() {
  if (_closed || _gate->closed()) {
    // The backend stopped (a session opened while it stopped is not among those it shut
    // down): no timer may keep the executor's context running.
    _timer.reset();
    return;
  }
  if (!_timer) {
    _timer = std::make_unique<asio::steady_timer>(_executor);
  }
  _timer->expires_after(tick);
  std::weak_ptr<local_consumer_session> weak = weak_from_this();
  _timer->async_wait([weak](const boost::system::error_code& ec) {
    auto self = weak.lock();
    if (!ec && self) {
      self->on_tick();
    }
  });
}

void local_consumer_session::on_tick() {
  if (_closed) {
    return;
  }
  const auto now = steady_clock::now();
  if (_mode == mode::subscribed && !_in_flight) {
    if (_rejoin_after) {
      if (now >= _join_retry_at) {
        start_join();
      }
    } else if (_joined) {
      auto e =
          _broker.groups().heartbeat(_options.group, _member_id, _options.instance_id, _generation);
      if (e == kafka_error::rebalance_in_progress) {
        rejoin();
      } else if (e == kafka_error::unknown_member_id || e == kafka_error::illegal_generation ||
                 e == kafka_error::fenced_instance_id) {
        if (e != kafka_error::illegal_generation) {
          _member_id.clear();  // ILLEGAL_GENERATION: still a member, of a newer generation
        }
        _joined = false;
        clear_assignment();  // no longer ours: nothing to commit
        start_join();
      } else if (now >= _next_metadata_check) {
        _next_metadata_check = now + metadata_interval;
        if (watched_partition_counts() != _watched) {
          rejoin();
        }
      }
    }
  }
  if (_options.auto_commit && now >= _next_auto_commit) {
    _next_auto_commit = now + _options.auto_commit_interval;
    bool in_group = _mode == mode::subscribed && _joined && !_in_flight;
    if (in_group || _mode == mode::assigned) {
      std::vector<offset_commit> changed;
      for (auto& o : positions_to_commit()) {
        auto it = _committed_positions.find(o.partition);
        if (it == _committed_positions.end() || it->second != o.offset) {
          changed.push_back(std::move(o));
        }
      }
      commit_now(std::move(changed), [group = _options.group](const outcome<void>& r) {
        if (!r) {
          log::debug("REST consumer session of group '{}': auto commit: {}", group,
                     r.error().message);
        }
      });
    }
  }
  schedule_tick();
}

}  // namespace brook::backend
