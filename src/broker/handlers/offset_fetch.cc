// OffsetFetch (key 9): a group's committed offsets, for the given partitions or (topics
// null, v2+) for all of them; from v8 for several groups at once. A partition without a
// commit answers offset -1. Brook has no transactions, so require_stable (v7+) never
// finds an unstable offset.
#include "protocol/messages/offset_fetch.h"
#include "broker/broker.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handlers.h"

namespace brook::broker::handlers {

namespace {
using protocol::offset_fetch_request;
using protocol::offset_fetch_response;

// Groups the coordinator's answer by topic, in the order the request named them.
template <typename Topic>
std::vector<Topic> by_topic(const std::vector<group::fetched_offset>& offsets) {
  std::vector<Topic> topics;
  for (const auto& o : offsets) {
    if (topics.empty() || topics.back().name != o.topic) {
      topics.emplace_back().name = o.topic;
    }
    auto& p = topics.back().partitions.emplace_back();
    p.partition_index = o.partition;
    p.committed_offset = o.value.offset;
    p.committed_leader_epoch = o.value.leader_epoch;
    p.metadata = o.value.metadata;
    p.error_code = 0;
  }
  return topics;
}

template <typename RequestTopic>
std::optional<std::vector<group::topic_partition>> wanted(
    const std::optional<std::vector<RequestTopic>>& topics) {
  if (!topics) {
    return std::nullopt;
  }
  std::vector<group::topic_partition> r;
  for (const auto& t : *topics) {
    for (int32_t p : t.partition_indexes) {
      r.emplace_back(t.name, p);
    }
  }
  return r;
}

void handle(broker& b, std::shared_ptr<request_context> req, responder respond) {
  auto in = decode_or_close<offset_fetch_request>(*req, respond);
  if (!in) {
    return;
  }
  offset_fetch_response out;
  if (req->header.api_version >= 8) {
    for (const auto& g : in->groups) {
      auto& og = out.groups.emplace_back();
      og.group_id = g.group_id;
      og.topics = by_topic<offset_fetch_response::offset_fetch_response_topics>(
          b.groups().fetch_offsets(g.group_id, wanted(g.topics)));
    }
  } else {
    out.topics = by_topic<offset_fetch_response::offset_fetch_response_topic>(
        b.groups().fetch_offsets(in->group_id, wanted(in->topics)));
  }
  respond.send(req->header, out);
}
}  // namespace

const api_handler offset_fetch{offset_fetch_request::api_key, 0, 8, &handle};
static_assert(8 <= offset_fetch_request::max_version);

}  // namespace brook::broker::handlers
