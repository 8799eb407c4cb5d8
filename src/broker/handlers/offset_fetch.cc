// OffsetFetch (key 9): a group's committed offsets, for the given partitions or (topics
// null, v2+) for all of them; from v8 for several groups at once. A partition without a
// commit answers offset -1. With require_stable (v7+, KIP-447), a partition whose offset
// an open or committing transaction will change answers UNSTABLE_OFFSET_COMMIT (the
// consumer asks again) instead of an offset about to be replaced. A flexible request (v6+) with the
// tagged field brook_include_lag gets each partition's log end offset and lag in milliseconds as
// the broker measures them (group_lag.h), in tagged fields (doc/kafka-protocol.md).
#include "protocol/messages/offset_fetch.h"

#include <cmath>

#include "base/clock.h"
#include "broker/broker.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handlers.h"
#include "broker/service/group_lag.h"
#include "broker/txn/txn_coordinator.h"
#include "protocol/kafka_error.h"

namespace brook::broker::handlers {

namespace {
using protocol::offset_fetch_request;
using protocol::offset_fetch_response;

// Groups the coordinator's answer by topic, in the order the request named them. A topic
// the principal may not DESCRIBE is left out when all were asked for and refused when named.
// The wall clock of the lag asked for with brook_include_lag; nullopt when not asked.
using lag_clock = std::optional<int64_t>;

template <typename Partition>
void add_lag(broker& b, const std::string& topic, Partition& p, int64_t now_ms) {
  auto lag = partition_lag_of(b, topic, p.partition_index, p.committed_offset, now_ms);
  p.brook_log_end_offset = lag.end;
  p.brook_lag_ms = lag.seconds ? std::llround(*lag.seconds * 1000.0) : -1;
}

template <typename Topic>
std::vector<Topic> by_topic(broker& b, const request_context& req,
                            const std::vector<group::fetched_offset>& offsets, bool all,
                            lag_clock lag_now_ms, const std::string* stable_group) {
  auto* txns = stable_group ? b.transactions() : nullptr;
  std::vector<Topic> topics;
  const std::string* current = nullptr;  // the topic of the partitions being grouped
  bool allowed = true;                   // may the principal DESCRIBE it (asked once)?
  for (const auto& o : offsets) {
    if (current == nullptr || *current != o.topic) {
      current = &o.topic;
      allowed = req.authorized(security::acl_operation::describe, security::resource_type::topic,
                               o.topic);
      if (allowed || !all) {
        topics.emplace_back().name = o.topic;
      }
    }
    if (!allowed && all) {
      continue;
    }
    auto& p = topics.back().partitions.emplace_back();
    p.partition_index = o.partition;
    if (!allowed) {
      p.committed_offset = -1;
      p.committed_leader_epoch = -1;
      p.metadata = "";
      p.error_code = protocol::code(protocol::kafka_error::topic_authorization_failed);
      continue;
    }
    if (txns && txns->has_pending_offset(*stable_group, o.topic, o.partition)) {
      p.committed_offset = -1;
      p.committed_leader_epoch = -1;
      p.metadata = "";
      p.error_code = protocol::code(protocol::kafka_error::unstable_offset_commit);
      continue;
    }
    p.committed_offset = o.value.offset;
    p.committed_leader_epoch = o.value.leader_epoch;
    p.metadata = o.value.metadata;
    p.error_code = 0;
    if (lag_now_ms) {
      add_lag(b, o.topic, p, *lag_now_ms);
    }
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
  // DESCRIBE on the group, as in Kafka; refused, the group's answer holds no offsets.
  auto group_allowed = [&](const std::string& id) {
    return req->authorized(security::acl_operation::describe, security::resource_type::group, id);
  };
  const auto refused = protocol::code(protocol::kafka_error::group_authorization_failed);
  const std::vector<offset_fetch_request::offset_fetch_request_topic> no_topics;
  const lag_clock lag_now_ms =
      in->brook_include_lag ? lag_clock(wall_clock_ms()) : lag_clock(std::nullopt);
  if (req->header.api_version >= 8) {
    for (const auto& g : in->groups) {
      auto& og = out.groups.emplace_back();
      og.group_id = g.group_id;
      if (!group_allowed(g.group_id)) {
        og.error_code = refused;
        continue;
      }
      og.topics = by_topic<offset_fetch_response::offset_fetch_response_topics>(
          b, *req, b.groups().fetch_offsets(g.group_id, wanted(g.topics)), !g.topics.has_value(),
          lag_now_ms, in->require_stable ? &g.group_id : nullptr);
    }
  } else if (!group_allowed(in->group_id)) {
    // v2+ answers the error alone; before, each partition named carries it (as Kafka).
    out.error_code = refused;
    for (const auto& t : req->header.api_version < 2 && in->topics ? *in->topics : no_topics) {
      auto& ot = out.topics.emplace_back();
      ot.name = t.name;
      for (int32_t p : t.partition_indexes) {
        auto& op = ot.partitions.emplace_back();
        op.partition_index = p;
        op.committed_offset = -1;
        op.metadata = "";
        op.error_code = refused;
      }
    }
  } else {
    out.topics = by_topic<offset_fetch_response::offset_fetch_response_topic>(
        b, *req, b.groups().fetch_offsets(in->group_id, wanted(in->topics)),
        !in->topics.has_value(), lag_now_ms, in->require_stable ? &in->group_id : nullptr);
  }
  respond.send(req->header, out);
}
}  // namespace

const api_handler offset_fetch{offset_fetch_request::api_key, 0, 8, &handle};
static_assert(8 <= offset_fetch_request::max_version);

}  // namespace brook::broker::handlers
