#include "broker/group/assignors.h"

#include <set>

namespace brook::broker::group {

namespace {

using assignment = std::map<std::string, std::map<std::string, std::vector<int32_t>>>;

assignment empty_for(const std::map<std::string, std::vector<std::string>>& members) {
  assignment out;
  for (const auto& [id, topics] : members) {
    out[id];
  }
  return out;
}

assignment range(const std::map<std::string, std::vector<std::string>>& members,
                 const std::map<std::string, int32_t>& partition_counts) {
  assignment out = empty_for(members);
  // topic -> its members, sorted (the map's order is the member ids').
  std::map<std::string, std::vector<std::string>> by_topic;
  for (const auto& [id, topics] : members) {
    for (const auto& t : std::set<std::string>(topics.begin(), topics.end())) {
      by_topic[t].push_back(id);
    }
  }
  for (const auto& [topic, ids] : by_topic) {
    auto count = partition_counts.find(topic);
    if (count == partition_counts.end() || count->second <= 0) {
      continue;
    }
    const auto n = static_cast<size_t>(count->second);
    const size_t each = n / ids.size();
    const size_t extra = n % ids.size();
    size_t next = 0;
    for (size_t i = 0; i < ids.size(); ++i) {
      const size_t take = each + (i < extra ? 1 : 0);
      auto& parts = out[ids[i]][topic];
      for (size_t k = 0; k < take; ++k) {
        parts.push_back(static_cast<int32_t>(next++));
      }
      if (parts.empty()) {
        out[ids[i]].erase(topic);
      }
    }
  }
  return out;
}

assignment roundrobin(const std::map<std::string, std::vector<std::string>>& members,
                      const std::map<std::string, int32_t>& partition_counts) {
  assignment out = empty_for(members);
  std::vector<std::string> ids;
  std::map<std::string, std::set<std::string>> subscribed;
  std::set<std::string> all_topics;
  for (const auto& [id, topics] : members) {
    ids.push_back(id);
    subscribed[id].insert(topics.begin(), topics.end());
    all_topics.insert(topics.begin(), topics.end());
  }
  if (ids.empty()) {
    return out;
  }
  size_t turn = 0;
  for (const auto& topic : all_topics) {
    auto count = partition_counts.find(topic);
    if (count == partition_counts.end()) {
      continue;
    }
    for (int32_t p = 0; p < count->second; ++p) {
      // The next member in turn that subscribes to the topic (one does: the topic is some
      // member's).
      while (subscribed[ids[turn % ids.size()]].count(topic) == 0) {
        ++turn;
      }
      out[ids[turn % ids.size()]][topic].push_back(p);
      ++turn;
    }
  }
  return out;
}

}  // namespace

std::optional<assignment> assign(const std::string& assignor,
                                 const std::map<std::string, std::vector<std::string>>& members,
                                 const std::map<std::string, int32_t>& partition_counts) {
  if (assignor == range_assignor) {
    return range(members, partition_counts);
  }
  if (assignor == roundrobin_assignor) {
    return roundrobin(members, partition_counts);
  }
  return std::nullopt;
}

}  // namespace brook::broker::group
