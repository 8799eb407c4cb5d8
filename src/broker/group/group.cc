#include "broker/group/group.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "protocol/consumer_protocol.h"

namespace brook::broker::group {

const char* state_name(group_state s) {
  switch (s) {
    case group_state::empty:
      return "Empty";
    case group_state::preparing_rebalance:
      return "PreparingRebalance";
    case group_state::completing_rebalance:
      return "CompletingRebalance";
    case group_state::stable:
      return "Stable";
    case group_state::dead:
      return "Dead";
  }
  return "Unknown";
}

std::optional<group_state> parse_state(std::string_view name) {
  for (auto s : {group_state::empty, group_state::preparing_rebalance,
                 group_state::completing_rebalance, group_state::stable, group_state::dead}) {
    std::string_view n = state_name(s);
    if (n.size() == name.size() && std::equal(n.begin(), n.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return s;
    }
  }
  return std::nullopt;
}

const bytes& member::metadata_for(const std::string& protocol) const {
  static const bytes none;
  for (const auto& p : protocols) {
    if (p.name == protocol) {
      return p.metadata;
    }
  }
  return none;
}

bool group::is_fenced(const std::optional<std::string>& instance_id,
                      const std::string& member_id) const {
  if (!instance_id) {
    return false;
  }
  auto it = static_members.find(*instance_id);
  return it != static_members.end() && it->second != member_id;
}

int32_t group::rebalance_timeout_ms() const {
  int32_t t = 0;
  for (const auto& [_, m] : members) {
    t = std::max(t, m.rebalance_timeout_ms);
  }
  return t;
}

bool group::all_members_joined() const {
  if (!pending_members.empty()) {
    return false;
  }
  return std::all_of(members.begin(), members.end(),
                     [](const auto& kv) { return static_cast<bool>(kv.second.awaiting_join); });
}

std::optional<std::string> group::select_protocol() const {
  if (members.empty()) {
    return std::nullopt;
  }
  // Candidates: the protocols every member supports, in the first member's order.
  std::vector<std::string> candidates;
  for (const auto& p : members.begin()->second.protocols) {
    bool everyone = std::all_of(members.begin(), members.end(), [&](const auto& kv) {
      return std::any_of(kv.second.protocols.begin(), kv.second.protocols.end(),
                         [&](const protocol_entry& q) { return q.name == p.name; });
    });
    if (everyone) {
      candidates.push_back(p.name);
    }
  }
  if (candidates.empty()) {
    return std::nullopt;
  }
  // Each member votes for the candidate it prefers most.
  std::map<std::string, int> votes;
  for (const auto& [_, m] : members) {
    for (const auto& p : m.protocols) {
      if (std::find(candidates.begin(), candidates.end(), p.name) != candidates.end()) {
        ++votes[p.name];
        break;
      }
    }
  }
  std::string best = candidates.front();
  for (const auto& c : candidates) {
    if (votes[c] > votes[best]) {
      best = c;
    }
  }
  return best;
}

bool group::supports(const std::string& type, const std::vector<protocol_entry>& protocols) const {
  if (type.empty() || protocols.empty()) {
    return false;
  }
  if (members.empty()) {
    return true;
  }
  if (type != protocol_type) {
    return false;
  }
  // Some protocol of the newcomer must be supported by every member.
  return std::any_of(protocols.begin(), protocols.end(), [&](const protocol_entry& p) {
    return std::all_of(members.begin(), members.end(), [&](const auto& kv) {
      return std::any_of(kv.second.protocols.begin(), kv.second.protocols.end(),
                         [&](const protocol_entry& q) { return q.name == p.name; });
    });
  });
}

std::vector<std::string> group::subscribed_topics() const {
  std::set<std::string> topics;
  if (protocol_type != "consumer") {
    return {};
  }
  for (const auto& [_, m] : members) {
    const auto& meta = protocol_name ? m.metadata_for(*protocol_name)
                                     : (m.protocols.empty() ? bytes{} : m.protocols[0].metadata);
    if (auto sub = protocol::parse_consumer_subscription(meta)) {
      topics.insert(sub->topics.begin(), sub->topics.end());
    }
  }
  return {topics.begin(), topics.end()};
}

}  // namespace brook::broker::group
