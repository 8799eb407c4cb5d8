// Membership: JoinGroup, SyncGroup, Heartbeat, LeaveGroup, the rebalance and the session
// deadlines. Offsets and the group listings are in group_offsets.cc.
#include "broker/group/group_coordinator.h"

#include <algorithm>

#include "base/log.h"
#include "broker/group/group_actions.h"
#include "broker/group/group_state_codec.h"
#include "protocol/uuid.h"
#include "storage/group_store.h"

namespace brook::broker::group {

namespace {
std::string new_member_id(const std::string& client_id) {
  auto id = protocol::uuid::random();
  static constexpr char hex[] = "0123456789abcdef";
  std::string s = client_id + "-";
  for (size_t i = 0; i < id.bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) {
      s += '-';
    }
    auto b = id.bytes[i];
    s += hex[b >> 4];
    s += hex[b & 15];
  }
  return s;
}

join_result error_join(kafka_error e, std::string member_id = {}) {
  join_result r;
  r.error = e;
  r.member_id = std::move(member_id);
  return r;
}

sync_result error_sync(kafka_error e) {
  sync_result r;
  r.error = e;
  return r;
}
}  // namespace

group_coordinator::group_coordinator(group_config config, storage::group_store& store,
                                     partition_exists_fn partition_exists,
                                     boost::asio::any_io_executor executor, group_clock time)
    : _config(config),
      _clock(std::move(time)),
      _store(store),
      _partition_exists(std::move(partition_exists)),
      _next_expiry(_clock.steady() +
                   std::chrono::milliseconds(_config.offsets_retention_check_interval_ms)),
      _timer(std::move(executor), [this] { return on_timer(); }) {}

result<std::unique_ptr<group_coordinator>> group_coordinator::open(
    group_config config, storage::group_store& store, partition_exists_fn partition_exists,
    boost::asio::any_io_executor timer_executor, group_clock time) {
  std::unique_ptr<group_coordinator> c(new group_coordinator(
      config, store, std::move(partition_exists), std::move(timer_executor), std::move(time)));
  if (auto st = c->load(); !st) {
    return st.error();
  }
  c->wake_timer();
  return c;
}

group_coordinator::~group_coordinator() {
  stop();
}

void group_coordinator::stop() {
  if (_stopped) {
    return;
  }
  _stopped = true;
  _timer.stop();
  // Every write queued so far has run its done (they refer to this coordinator) once an
  // empty write behind them is through.
  (void)_store.write_sync({});
  actions out;
  std::lock_guard lock(_mutex);
  for (auto& [_, g] : _groups) {
    for (auto& [id, m] : g->members) {
      if (m.awaiting_join) {
        out.add([cb = std::move(m.awaiting_join)] {
          cb(error_join(kafka_error::coordinator_not_available));
        });
        m.awaiting_join = nullptr;
      }
      if (m.awaiting_sync) {
        out.add([cb = std::move(m.awaiting_sync)] {
          cb(error_sync(kafka_error::coordinator_not_available));
        });
        m.awaiting_sync = nullptr;
      }
    }
  }
}

status group_coordinator::load() {
  auto stored = _store.load();
  if (!stored) {
    return stored.error();
  }
  auto now = _clock.steady();
  size_t members = 0;
  size_t offsets = 0;
  for (auto& s : *stored) {
    auto g = std::make_unique<group>();
    g->id = s.name;
    if (s.state) {
      if (auto st = decode_group_state(*s.state, *g, now); !st) {
        log::error(
            "groups.db: the state of group '{}' cannot be read ({}); the group starts "
            "empty, its committed offsets are kept",
            s.name, st.error().message());
        g->members.clear();
        g->static_members.clear();
        g->state = group_state::empty;
      }
    }
    for (auto& o : s.offsets) {
      g->offsets[{o.topic, o.partition}] =
          committed{o.offset, o.leader_epoch, o.metadata.value_or(""), o.commit_time_ms};
    }
    members += g->members.size();
    offsets += g->offsets.size();
    _groups.emplace(s.name, std::move(g));
  }
  if (!_groups.empty()) {
    log::info("groups: {} loaded ({} members, {} committed offsets)", _groups.size(), members,
              offsets);
  }
  return {};
}

group* group_coordinator::find(const std::string& id) {
  auto it = _groups.find(id);
  return it == _groups.end() ? nullptr : it->second.get();
}

group& group_coordinator::find_or_create(const std::string& id) {
  auto& slot = _groups[id];
  if (!slot) {
    slot = std::make_unique<group>();
    slot->id = id;
    slot->state_since_ms = _clock.wall_ms();
  }
  return *slot;
}

void group_coordinator::remove_group(const std::string& id) {
  _groups.erase(id);
}

bool group_coordinator::member_alive(const member& m, clock::time_point now) const {
  if (m.awaiting_join) {
    return !m.is_new || m.last_heartbeat + new_member_join_timeout > now;
  }
  if (m.awaiting_sync) {
    return true;
  }
  return m.last_heartbeat + std::chrono::milliseconds(m.session_timeout_ms) > now;
}

// JoinGroup ----------------------------------------------------------------------------

void group_coordinator::join(join_request req, join_callback done) {
  actions out;
  std::lock_guard lock(_mutex);
  if (req.group_id.empty()) {
    out.add([done = std::move(done)] { done(error_join(kafka_error::invalid_group_id)); });
    return;
  }
  if (req.session_timeout_ms < _config.min_session_timeout_ms ||
      req.session_timeout_ms > _config.max_session_timeout_ms) {
    out.add([done = std::move(done), id = req.member_id] {
      done(error_join(kafka_error::invalid_session_timeout, id));
    });
    return;
  }
  bool new_member = req.member_id.empty();
  group* gp = new_member ? &find_or_create(req.group_id) : find(req.group_id);
  if (gp == nullptr) {
    out.add([done = std::move(done), id = req.member_id] {
      done(error_join(kafka_error::unknown_member_id, id));
    });
    return;
  }
  group& g = *gp;
  auto fail = [&](kafka_error e) {
    out.add([done = std::move(done), id = req.member_id, e] { done(error_join(e, id)); });
  };
  if (!g.supports(req.protocol_type, req.protocols)) {
    fail(kafka_error::inconsistent_group_protocol);
    if (g.members.empty() && g.offsets.empty() && g.pending_members.empty() &&
        g.protocol_type.empty()) {
      remove_group(g.id);  // created by this request only
    }
    return;
  }
  bool known = g.has_member(req.member_id) || g.pending_members.contains(req.member_id);
  if (_config.max_size > 0 && !known && !new_member &&
      g.members.size() >= static_cast<size_t>(_config.max_size)) {
    fail(kafka_error::group_max_size_reached);
    return;
  }
  if (new_member) {
    if (req.instance_id && g.static_members.contains(*req.instance_id)) {
      replace_static_member(g, req, std::move(done), out);
      return;
    }
    if (_config.max_size > 0 && g.members.size() >= static_cast<size_t>(_config.max_size)) {
      fail(kafka_error::group_max_size_reached);
      return;
    }
    std::string id = new_member_id(req.client_id);
    if (req.require_known_member_id && !req.instance_id) {
      // KIP-394: the member learns its id first and joins with it.
      g.pending_members[id] = _clock.steady() + std::chrono::milliseconds(req.session_timeout_ms);
      wake_timer();
      out.add(
          [done = std::move(done), id] { done(error_join(kafka_error::member_id_required, id)); });
      return;
    }
    add_member_and_rebalance(g, req, id, std::move(done), out);
    return;
  }
  if (auto p = g.pending_members.find(req.member_id); p != g.pending_members.end()) {
    g.pending_members.erase(p);
    add_member_and_rebalance(g, req, req.member_id, std::move(done), out);
    return;
  }
  if (g.is_fenced(req.instance_id, req.member_id)) {
    fail(kafka_error::fenced_instance_id);
    return;
  }
  auto it = g.members.find(req.member_id);
  if (it == g.members.end()) {
    fail(kafka_error::unknown_member_id);
    return;
  }
  member& m = it->second;
  switch (g.state) {
    case group_state::preparing_rebalance:
      update_member_and_rebalance(g, m, req, std::move(done), out);
      return;
    case group_state::completing_rebalance:
      if (m.protocols == req.protocols) {
        // The member missed the answer: it gets the same one again.
        m.last_heartbeat = _clock.steady();
        out.add(
            [done = std::move(done), r = current_join_result(g, m, m.id == g.leader)] { done(r); });
      } else {
        update_member_and_rebalance(g, m, req, std::move(done), out);
      }
      return;
    case group_state::stable:
      if (m.id == g.leader || m.protocols != req.protocols) {
        // The leader rejoining (it wants a new assignment) or changed metadata.
        update_member_and_rebalance(g, m, req, std::move(done), out);
      } else {
        m.last_heartbeat = _clock.steady();
        out.add([done = std::move(done), r = current_join_result(g, m, false)] { done(r); });
      }
      return;
    case group_state::empty:
    case group_state::dead:
      fail(kafka_error::unknown_member_id);
      return;
  }
}

join_result group_coordinator::current_join_result(const group& g, const member& m,
                                                   bool with_members) const {
  join_result r;
  r.generation = g.generation;
  r.protocol_type = g.protocol_type;
  r.protocol_name = g.protocol_name;
  r.leader = g.leader;
  r.member_id = m.id;
  if (with_members && g.protocol_name) {
    for (const auto& [id, other] : g.members) {
      r.members.push_back({id, other.instance_id, other.metadata_for(*g.protocol_name)});
    }
  }
  return r;
}

void group_coordinator::add_member_and_rebalance(group& g, const join_request& req,
                                                 const std::string& member_id, join_callback done,
                                                 actions& out) {
  member m;
  m.id = member_id;
  m.instance_id = req.instance_id;
  m.client_id = req.client_id;
  m.client_host = req.client_host;
  m.session_timeout_ms = req.session_timeout_ms;
  m.rebalance_timeout_ms = req.rebalance_timeout_ms;
  m.protocol_type = req.protocol_type;
  m.protocols = req.protocols;
  m.awaiting_join = std::move(done);
  m.is_new = true;
  m.last_heartbeat = _clock.steady();
  if (g.members.empty()) {
    g.protocol_type = req.protocol_type;
  }
  if (m.instance_id) {
    g.static_members[*m.instance_id] = m.id;
  }
  if (g.leader.empty()) {
    g.leader = m.id;
  }
  g.members.emplace(m.id, std::move(m));
  if (g.state == group_state::preparing_rebalance && g.initial_delay) {
    // Each join during the initial delay extends it, up to the rebalance timeout.
    auto now = _clock.steady();
    auto limit = g.rebalance_started + std::chrono::milliseconds(g.rebalance_timeout_ms());
    g.join_deadline =
        std::min(now + std::chrono::milliseconds(_config.initial_rebalance_delay_ms), limit);
  }
  maybe_prepare_rebalance(g, out);
  try_complete_join(g, out);
}

void group_coordinator::update_member_and_rebalance(group& g, member& m, const join_request& req,
                                                    join_callback done, actions& out) {
  m.protocols = req.protocols;
  m.session_timeout_ms = req.session_timeout_ms;
  m.rebalance_timeout_ms = req.rebalance_timeout_ms;
  m.client_id = req.client_id;
  m.client_host = req.client_host;
  m.last_heartbeat = _clock.steady();
  if (m.awaiting_join) {
    // A second JoinGroup from the same member replaces the first (which Kafka answers too).
    out.add([cb = std::move(m.awaiting_join), id = m.id] {
      cb(error_join(kafka_error::unknown_member_id, id));
    });
  }
  m.awaiting_join = std::move(done);
  maybe_prepare_rebalance(g, out);
  try_complete_join(g, out);
}

void group_coordinator::replace_static_member(group& g, const join_request& req, join_callback done,
                                              actions& out) {
  std::string old_id = g.static_members[*req.instance_id];
  auto node = g.members.extract(old_id);
  BROOK_ASSERT(!node.empty(), "a static member's id is a member");
  member& m = node.mapped();
  // The old incarnation is fenced: whatever it still waits on is answered so.
  if (m.awaiting_join) {
    out.add([cb = std::move(m.awaiting_join), old_id] {
      cb(error_join(kafka_error::fenced_instance_id, old_id));
    });
    m.awaiting_join = nullptr;
  }
  if (m.awaiting_sync) {
    out.add([cb = std::move(m.awaiting_sync)] { cb(error_sync(kafka_error::fenced_instance_id)); });
    m.awaiting_sync = nullptr;
  }
  std::string new_id = new_member_id(req.client_id);
  m.id = new_id;
  node.key() = new_id;
  g.members.insert(std::move(node));
  g.static_members[*req.instance_id] = new_id;
  bool was_leader = g.leader == old_id;
  if (was_leader) {
    g.leader = new_id;
  }
  member& cur = g.members.at(new_id);
  log::info("group '{}': static member {} rejoined as {} (was {})", g.id, *req.instance_id, new_id,
            old_id);
  if (g.state == group_state::stable && cur.protocols == req.protocols) {
    // KIP-345: no rebalance. The member keeps its assignment; it is told the old leader id
    // so that, even as the leader, it does not compute a new assignment (which a Stable
    // group would not hand out).
    cur.client_id = req.client_id;
    cur.client_host = req.client_host;
    cur.session_timeout_ms = req.session_timeout_ms;
    cur.rebalance_timeout_ms = req.rebalance_timeout_ms;
    cur.last_heartbeat = _clock.steady();
    join_result r = current_join_result(g, cur, false);
    r.leader = was_leader ? old_id : g.leader;
    persist_state(g, out);
    out.add([done = std::move(done), r] { done(r); });
    return;
  }
  update_member_and_rebalance(g, cur, req, std::move(done), out);
}

void group_coordinator::maybe_prepare_rebalance(group& g, actions& out) {
  if (g.state == group_state::stable || g.state == group_state::completing_rebalance ||
      g.state == group_state::empty) {
    prepare_rebalance(g, out);
  }
}

void group_coordinator::prepare_rebalance(group& g, actions& out) {
  if (g.state == group_state::completing_rebalance) {
    for (auto& [id, m] : g.members) {
      m.assignment.clear();
      if (m.awaiting_sync) {
        out.add([cb = std::move(m.awaiting_sync)] {
          cb(error_sync(kafka_error::rebalance_in_progress));
        });
        m.awaiting_sync = nullptr;
      }
    }
  }
  auto now = _clock.steady();
  g.rebalance_started = now;
  if (g.state == group_state::empty && _config.initial_rebalance_delay_ms > 0) {
    g.initial_delay = true;
    g.join_deadline = now + std::min(std::chrono::milliseconds(_config.initial_rebalance_delay_ms),
                                     std::chrono::milliseconds(g.rebalance_timeout_ms()));
  } else {
    g.initial_delay = false;
    g.join_deadline = now + std::chrono::milliseconds(g.rebalance_timeout_ms());
  }
  log::info("group '{}': rebalancing (generation {}, {} members)", g.id, g.generation,
            g.members.size());
  g.state = group_state::preparing_rebalance;
  g.state_since_ms = _clock.wall_ms();
  wake_timer();
}

void group_coordinator::try_complete_join(group& g, actions& out) {
  if (g.state == group_state::preparing_rebalance && !g.initial_delay && g.all_members_joined()) {
    complete_join(g, out);
  }
}

void group_coordinator::complete_join(group& g, actions& out) {
  // Members that did not rejoin in time are dropped.
  for (auto it = g.members.begin(); it != g.members.end();) {
    if (it->second.awaiting_join) {
      ++it;
      continue;
    }
    log::info("group '{}': member {} did not rejoin in time; removed", g.id, it->first);
    if (it->second.instance_id) {
      g.static_members.erase(*it->second.instance_id);
    }
    if (it->second.awaiting_sync) {
      out.add([cb = std::move(it->second.awaiting_sync)] {
        cb(error_sync(kafka_error::rebalance_in_progress));
      });
    }
    it = g.members.erase(it);
  }
  ++g.generation;
  g.initial_delay = false;
  g.state_since_ms = _clock.wall_ms();
  if (g.members.empty()) {
    g.state = group_state::empty;
    g.protocol_name.reset();
    g.leader.clear();
    log::info("group '{}': empty at generation {}", g.id, g.generation);
    persist_state(g, out);
    return;
  }
  g.protocol_name = g.select_protocol();
  if (!g.members.contains(g.leader)) {
    g.leader = g.members.begin()->first;
  }
  g.state = group_state::completing_rebalance;
  auto now = _clock.steady();
  g.sync_deadline = now + std::chrono::milliseconds(g.rebalance_timeout_ms());
  log::info("group '{}': generation {} with {} members, protocol {}, leader {}", g.id, g.generation,
            g.members.size(), g.protocol_name.value_or("(none)"), g.leader);
  for (auto& [id, m] : g.members) {
    m.is_new = false;
    m.last_heartbeat = now;
    m.assignment.clear();
    answer_join(g, m, out);
  }
  wake_timer();
}

void group_coordinator::answer_join(group& g, member& m, actions& out) {
  if (!m.awaiting_join) {
    return;
  }
  out.add([cb = std::move(m.awaiting_join), r = current_join_result(g, m, m.id == g.leader)] {
    cb(r);
  });
  m.awaiting_join = nullptr;
}

// SyncGroup ----------------------------------------------------------------------------

void group_coordinator::sync(sync_request req, sync_callback done) {
  actions out;
  std::lock_guard lock(_mutex);
  auto fail = [&](kafka_error e) { out.add([done = std::move(done), e] { done(error_sync(e)); }); };
  group* gp = find(req.group_id);
  if (req.group_id.empty()) {
    fail(kafka_error::invalid_group_id);
    return;
  }
  if (gp == nullptr) {
    fail(kafka_error::unknown_member_id);
    return;
  }
  group& g = *gp;
  if (g.is_fenced(req.instance_id, req.member_id)) {
    fail(kafka_error::fenced_instance_id);
    return;
  }
  auto it = g.members.find(req.member_id);
  if (it == g.members.end()) {
    fail(kafka_error::unknown_member_id);
    return;
  }
  if (req.generation != g.generation) {
    fail(kafka_error::illegal_generation);
    return;
  }
  if ((req.protocol_type && *req.protocol_type != g.protocol_type) ||
      (req.protocol_name && *req.protocol_name != g.protocol_name.value_or(""))) {
    fail(kafka_error::inconsistent_group_protocol);
    return;
  }
  member& m = it->second;
  switch (g.state) {
    case group_state::empty:
    case group_state::dead:
      fail(kafka_error::unknown_member_id);
      return;
    case group_state::preparing_rebalance:
      fail(kafka_error::rebalance_in_progress);
      return;
    case group_state::completing_rebalance: {
      m.last_heartbeat = _clock.steady();
      if (m.awaiting_sync) {
        out.add([cb = std::move(m.awaiting_sync)] {
          cb(error_sync(kafka_error::rebalance_in_progress));
        });
      }
      m.awaiting_sync = std::move(done);
      if (m.id == g.leader) {
        for (auto& [id, member] : g.members) {
          member.assignment.clear();
        }
        for (auto& [id, assignment] : req.assignments) {
          if (auto a = g.members.find(id); a != g.members.end()) {
            a->second.assignment = std::move(assignment);
          }
        }
        store_assignments(g, out);
      }
      return;
    }
    case group_state::stable: {
      m.last_heartbeat = _clock.steady();
      sync_result r;
      r.protocol_type = g.protocol_type;
      r.protocol_name = g.protocol_name;
      r.assignment = m.assignment;
      out.add([done = std::move(done), r = std::move(r)] { done(r); });
      return;
    }
  }
}

// The leader's assignment is stored before anyone receives it: then the group is Stable.
void group_coordinator::store_assignments(group& g, actions& out) {
  storage::group_changes changes;
  changes.group = g.id;
  changes.state = encode_group_state(g);
  int32_t generation = g.generation;
  std::string id = g.id;
  out.add_write(_store, std::move(changes), [this, id, generation](status st) {
    actions out;
    std::lock_guard lock(_mutex);
    group* gp = find(id);
    if (gp == nullptr || gp->generation != generation ||
        gp->state != group_state::completing_rebalance) {
      return;  // the rebalance moved on while the write was in flight
    }
    group& g = *gp;
    if (!st) {
      log::error("group '{}': cannot store generation {}: {}; rebalancing", id, generation,
                 st.error().message());
      for (auto& [mid, m] : g.members) {
        if (m.awaiting_sync) {
          out.add([cb = std::move(m.awaiting_sync)] {
            cb(error_sync(kafka_error::coordinator_not_available));
          });
          m.awaiting_sync = nullptr;
        }
      }
      prepare_rebalance(g, out);
      return;
    }
    g.state = group_state::stable;
    g.state_since_ms = _clock.wall_ms();
    log::info("group '{}': stable at generation {}", id, generation);
    for (auto& [mid, m] : g.members) {
      if (m.awaiting_sync) {
        sync_result r;
        r.protocol_type = g.protocol_type;
        r.protocol_name = g.protocol_name;
        r.assignment = m.assignment;
        out.add([cb = std::move(m.awaiting_sync), r = std::move(r)] { cb(r); });
        m.awaiting_sync = nullptr;
      }
    }
  });
}

void group_coordinator::persist_state(group& g, actions& out) {
  storage::group_changes changes;
  changes.group = g.id;
  changes.state = encode_group_state(g);
  std::string id = g.id;
  out.add_write(_store, std::move(changes), [id](status st) {
    if (!st) {
      log::error("group '{}': cannot store its state: {}", id, st.error().message());
    }
  });
}

// Heartbeat and LeaveGroup -------------------------------------------------------------

kafka_error group_coordinator::heartbeat(const std::string& group_id, const std::string& member_id,
                                         const std::optional<std::string>& instance_id,
                                         int32_t generation) {
  std::lock_guard lock(_mutex);
  if (group_id.empty()) {
    return kafka_error::invalid_group_id;
  }
  group* g = find(group_id);
  if (g == nullptr) {
    return kafka_error::unknown_member_id;
  }
  if (g->is_fenced(instance_id, member_id)) {
    return kafka_error::fenced_instance_id;
  }
  auto it = g->members.find(member_id);
  if (it == g->members.end()) {
    return kafka_error::unknown_member_id;
  }
  if (generation != g->generation) {
    return kafka_error::illegal_generation;
  }
  switch (g->state) {
    case group_state::empty:
      return kafka_error::unknown_member_id;
    case group_state::dead:
      return kafka_error::coordinator_not_available;
    case group_state::preparing_rebalance:
      it->second.last_heartbeat = _clock.steady();
      return kafka_error::rebalance_in_progress;
    case group_state::completing_rebalance:
    case group_state::stable:
      it->second.last_heartbeat = _clock.steady();
      return kafka_error::none;
  }
  return kafka_error::none;
}

leave_result group_coordinator::leave(const std::string& group_id,
                                      const std::vector<leave_member>& leaving) {
  actions out;
  std::lock_guard lock(_mutex);
  leave_result r;
  if (group_id.empty()) {
    r.error = kafka_error::invalid_group_id;
    return r;
  }
  group* g = find(group_id);
  for (const auto& l : leaving) {
    if (g == nullptr) {
      r.members.push_back(kafka_error::unknown_member_id);
      continue;
    }
    std::string id = l.member_id;
    if (l.instance_id) {
      auto s = g->static_members.find(*l.instance_id);
      if (s == g->static_members.end()) {
        r.members.push_back(kafka_error::unknown_member_id);
        continue;
      }
      if (!l.member_id.empty() && l.member_id != s->second) {
        r.members.push_back(kafka_error::fenced_instance_id);
        continue;
      }
      id = s->second;
    } else if (g->pending_members.erase(id) > 0) {
      r.members.push_back(kafka_error::none);
      try_complete_join(*g, out);
      continue;
    }
    if (!g->members.contains(id)) {
      r.members.push_back(kafka_error::unknown_member_id);
      continue;
    }
    log::info("group '{}': member {} left", g->id, id);
    remove_member(*g, id, out);
    r.members.push_back(kafka_error::none);
  }
  return r;
}

void group_coordinator::remove_member(group& g, const std::string& member_id, actions& out) {
  auto it = g.members.find(member_id);
  if (it == g.members.end()) {
    return;
  }
  member& m = it->second;
  if (m.awaiting_join) {
    out.add([cb = std::move(m.awaiting_join), member_id] {
      cb(error_join(kafka_error::unknown_member_id, member_id));
    });
  }
  if (m.awaiting_sync) {
    out.add([cb = std::move(m.awaiting_sync)] { cb(error_sync(kafka_error::unknown_member_id)); });
  }
  if (m.instance_id) {
    g.static_members.erase(*m.instance_id);
  }
  g.members.erase(it);
  if (g.leader == member_id) {
    g.leader = g.members.empty() ? std::string() : g.members.begin()->first;
  }
  switch (g.state) {
    case group_state::stable:
    case group_state::completing_rebalance:
      prepare_rebalance(g, out);
      try_complete_join(g, out);
      break;
    case group_state::preparing_rebalance:
      try_complete_join(g, out);
      break;
    case group_state::empty:
    case group_state::dead:
      break;
  }
}

}  // namespace brook::broker::group
