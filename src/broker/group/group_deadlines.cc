// The coordinator's timer (a net::deadline_timer) and the deadlines it runs: pending member ids,
// session timeouts, the rebalance (join) and sync deadlines, and offset expiry.
#include "base/log.h"
#include "broker/group/group_actions.h"
#include "broker/group/group_coordinator.h"

namespace brook::broker::group {

// Deadlines -----------------------------------------------------------------------------

void group_coordinator::run_deadlines(clock::time_point now) {
  actions out;
  std::lock_guard lock(_mutex);
  for (auto& [gid, gp] : _groups) {
    group& g = *gp;
    for (auto it = g.pending_members.begin(); it != g.pending_members.end();) {
      if (it->second <= now) {
        it = g.pending_members.erase(it);
        try_complete_join(g, out);
      } else {
        ++it;
      }
    }
    std::vector<std::string> expired;
    for (const auto& [id, m] : g.members) {
      if (!member_alive(m, now)) {
        expired.push_back(id);
      }
    }
    for (const auto& id : expired) {
      log::info("group '{}': member {} timed out", g.id, id);
      remove_member(g, id, out);
    }
    if (g.state == group_state::preparing_rebalance && g.join_deadline <= now) {
      complete_join(g, out);
    } else if (g.state == group_state::completing_rebalance && g.sync_deadline <= now) {
      // The leader never sent the assignment: the members that did not sync go.
      std::vector<std::string> idle;
      for (const auto& [id, m] : g.members) {
        if (!m.awaiting_sync) {
          idle.push_back(id);
        }
      }
      for (const auto& id : idle) {
        log::info("group '{}': member {} did not sync in time", g.id, id);
        remove_member(g, id, out);
      }
      if (g.state == group_state::completing_rebalance) {
        prepare_rebalance(g, out);
      }
    }
  }
}

void group_coordinator::wake_timer() {
  _timer.arm(net::deadline_timer::clock::now());  // the timer's own clock: fire now
}

clock::time_point group_coordinator::on_timer() {
  auto now = _clock.steady();
  run_deadlines(now);
  if (now >= _next_expiry) {
    expire_offsets(_clock.wall_ms());
    _next_expiry = now + std::chrono::milliseconds(_config.offsets_retention_check_interval_ms);
  }
  // The earliest deadline of any group (a heartbeat only ever moves one later).
  auto wake = _next_expiry;
  std::lock_guard lock(_mutex);
  for (const auto& [gid, gp] : _groups) {
    const group& g = *gp;
    for (const auto& [id, at] : g.pending_members) {
      wake = std::min(wake, at);
    }
    for (const auto& [id, m] : g.members) {
      if (m.awaiting_join) {
        if (m.is_new) {
          wake = std::min(wake, m.last_heartbeat + new_member_join_timeout);
        }
      } else if (!m.awaiting_sync) {
        wake = std::min(wake, m.last_heartbeat + std::chrono::milliseconds(m.session_timeout_ms));
      }
    }
    if (g.state == group_state::preparing_rebalance) {
      wake = std::min(wake, g.join_deadline);
    } else if (g.state == group_state::completing_rebalance) {
      wake = std::min(wake, g.sync_deadline);
    }
  }
  // `wake` is a time of _clock; the timer waits as long on its own steady clock. (With the
  // real clocks that is `wake` itself. A test's clock moves only when the test moves it: the
  // timer may then wake while the test runs, and runs what is due at the test's time, as
  // the test would.)
  return net::deadline_timer::clock::now() + (wake - now);
}

}  // namespace brook::broker::group
