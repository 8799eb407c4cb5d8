#include "app/cli/group_requests.h"

#include <utility>

#include "protocol/kafka_error.h"
#include "protocol/messages/list_offsets.h"
#include "protocol/messages/offset_fetch.h"

namespace brook::app::group_cli {

namespace P = protocol;

namespace {

template <typename Topic>
std::vector<Topic> offset_fetch_topics(const std::vector<topic_partition>& parts) {
  std::map<std::string, std::vector<int32_t>> by_topic;
  for (const auto& [t, p] : parts) {
    by_topic[t].push_back(p);
  }
  std::vector<Topic> out;
  for (auto& [t, ps] : by_topic) {
    auto& topic = out.emplace_back();
    topic.name = t;
    topic.partition_indexes = std::move(ps);
  }
  return out;
}

}  // namespace

outcome<P::describe_groups_response::described_group> describe_group(kafka_client& c,
                                                                     const std::string& group) {
  P::describe_groups_request request;
  request.groups = {group};
  auto r = c.call<P::describe_groups_response>(request);
  if (!r) {
    if (r.error() == make_error_code(client_errc::unsupported_api)) {
      return kafka_cluster::unsupported(c, "DescribeGroups");
    }
    return kafka_cluster::request_failed(c, "DescribeGroups", r.error());
  }
  for (auto& g : r->groups) {
    if (g.group_id == group) {
      // Classic brokers answer an unknown group with state Dead; newer ones with an error.
      if (g.error_code == P::code(P::kafka_error::group_id_not_found)) {
        g.error_code = 0;
        g.group_state = "Dead";
      }
      if (g.error_code != 0) {
        return failure{fmt::format("group {}: {}", group, explain(g.error_code))};
      }
      return std::move(g);
    }
  }
  return failure{fmt::format("{}: DescribeGroups did not answer for group {}", c.address(), group)};
}

outcome<coordinated_group> describe_at_coordinator(kafka_cluster& cl, const std::string& group) {
  auto coordinator = cl.coordinator(group);
  if (!coordinator) {
    return failure{coordinator.error()};
  }
  auto described = describe_group(**coordinator, group);
  if (!described) {
    return failure{described.error()};
  }
  return coordinated_group{*coordinator, std::move(*described)};
}

outcome<std::map<topic_partition, int64_t>> committed_offsets(
    kafka_client& c, const std::string& group, const std::vector<topic_partition>* only,
    std::map<topic_partition, measured_lag>* lag) {
  int16_t v = c.version_for<P::offset_fetch_request>();
  if (v < 0 || (only == nullptr && v < 2)) {
    return kafka_cluster::unsupported(c, "OffsetFetch");
  }
  P::offset_fetch_request request;
  request.brook_include_lag = lag != nullptr;
  if (v >= 8) {
    auto& g = request.groups.emplace_back();
    g.group_id = group;
    if (only != nullptr) {
      g.topics = offset_fetch_topics<P::offset_fetch_request::offset_fetch_request_topics>(*only);
    } else {
      g.topics.reset();
    }
  } else {
    request.group_id = group;
    if (only != nullptr) {
      request.topics =
          offset_fetch_topics<P::offset_fetch_request::offset_fetch_request_topic>(*only);
    } else {
      request.topics.reset();
    }
  }
  auto r = c.call<P::offset_fetch_response>(request, v);
  if (!r) {
    return kafka_cluster::request_failed(c, "OffsetFetch", r.error());
  }
  std::map<topic_partition, int64_t> out;
  auto take = [&](const auto& topics) -> done {
    for (const auto& t : topics) {
      for (const auto& p : t.partitions) {
        if (p.error_code != 0) {
          return failure{fmt::format("committed offset of {}-{}: {}", t.name, p.partition_index,
                                     explain(p.error_code))};
        }
        if (p.committed_offset >= 0) {
          out[{t.name, p.partition_index}] = p.committed_offset;
        }
        if (lag != nullptr && p.brook_log_end_offset >= 0) {
          (*lag)[{t.name, p.partition_index}] = {
              p.brook_log_end_offset,
              p.brook_lag_ms >= 0 ? std::optional<int64_t>(p.brook_lag_ms) : std::nullopt};
        }
      }
    }
    return {};
  };
  if (v >= 8) {
    for (const auto& g : r->groups) {
      if (g.group_id != group) {
        continue;
      }
      if (g.error_code != 0) {
        return failure{
            fmt::format("committed offsets of group {}: {}", group, explain(g.error_code))};
      }
      if (auto st = take(g.topics); !st) {
        return failure{st.error()};
      }
    }
  } else {
    if (r->error_code != 0) {
      return failure{
          fmt::format("committed offsets of group {}: {}", group, explain(r->error_code))};
    }
    if (auto st = take(r->topics); !st) {
      return failure{st.error()};
    }
  }
  return out;
}

outcome<std::map<topic_partition, listed_offset>> list_offsets(
    kafka_cluster& cl, const std::vector<topic_partition>& parts, int64_t timestamp) {
  std::map<kafka_client*, std::vector<topic_partition>> by_leader;
  std::map<topic_partition, listed_offset> out;
  for (const auto& p : parts) {
    auto leader = cl.leader(p);
    if (!leader) {
      out[p].error_code = P::code(P::kafka_error::leader_not_available);
      continue;
    }
    by_leader[*leader].push_back(p);
  }
  for (auto& [client, ps] : by_leader) {
    int16_t v = client->version_for<P::list_offsets_request>();
    if (v < 1) {
      return kafka_cluster::unsupported(*client, "ListOffsets");
    }
    P::list_offsets_request request;
    request.replica_id = -1;
    request.isolation_level = 0;
    std::map<std::string, std::vector<int32_t>> by_topic;
    for (const auto& [t, p] : ps) {
      by_topic[t].push_back(p);
    }
    for (const auto& [t, indexes] : by_topic) {
      auto& topic = request.topics.emplace_back();
      topic.name = t;
      for (int32_t i : indexes) {
        auto& part = topic.partitions.emplace_back();
        part.partition_index = i;
        part.timestamp = timestamp;
      }
    }
    auto r = client->call<P::list_offsets_response>(request, v);
    if (!r) {
      return kafka_cluster::request_failed(*client, "ListOffsets", r.error());
    }
    for (const auto& t : r->topics) {
      for (const auto& p : t.partitions) {
        out[{t.name, p.partition_index}] = {p.offset, p.error_code};
      }
    }
    for (const auto& p : ps) {
      if (!out.contains(p)) {
        out[p].error_code = P::code(P::kafka_error::unknown_server_error);
      }
    }
  }
  return out;
}

}  // namespace brook::app::group_cli
