// OffsetCommit (key 8): a group's consumed positions, answered once they are durable in
// groups.db. Members of an active group send their generation; tools and assign()-only
// consumers commit for an empty group with generation -1.
#include "protocol/messages/offset_commit.h"
#include "broker/broker.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/refusals.h"

namespace brook::broker::handlers {

namespace {
using protocol::offset_commit_request;
using protocol::offset_commit_response;

void handle(broker& b, std::shared_ptr<request_context> req, responder respond) {
  auto in = decode_or_close<offset_commit_request>(*req, respond);
  if (!in) {
    return;
  }
  group::offset_commit_request c;
  c.group_id = std::move(in->group_id);
  c.generation = in->generation_id;
  c.member_id = std::move(in->member_id);
  c.instance_id = std::move(in->group_instance_id);
  // Committing needs READ on the group (else every partition is refused) and READ on each
  // topic; refused partitions are answered without asking the coordinator.
  const bool group_allowed =
      req->authorized(security::acl_operation::read, security::resource_type::group, c.group_id);
  auto refusals = std::make_shared<std::vector<protocol::kafka_error>>();
  // retention_time_ms (v2-4) is not honoured: offsets.retention applies (as in Kafka 2.1+
  // for empty groups).
  for (auto& t : in->topics) {
    const bool topic_allowed =
        group_allowed &&
        req->authorized(security::acl_operation::read, security::resource_type::topic, t.name);
    for (auto& p : t.partitions) {
      if (!group_allowed) {
        refusals->push_back(protocol::kafka_error::group_authorization_failed);
      } else if (!topic_allowed) {
        refusals->push_back(protocol::kafka_error::topic_authorization_failed);
      } else {
        refusals->push_back(protocol::kafka_error::none);
        c.offsets.push_back({t.name, p.partition_index, p.committed_offset,
                             p.committed_leader_epoch, std::move(p.committed_metadata)});
      }
    }
  }
  auto answer = std::make_shared<responder>(std::move(respond));
  auto request_body = std::make_shared<offset_commit_request>(std::move(*in));
  auto reply = [req, answer, request_body,
                refusals](const std::vector<protocol::kafka_error>& answered) {
    const auto errors = merge_refusals(*refusals, answered);
    offset_commit_response out;
    size_t i = 0;
    for (const auto& t : request_body->topics) {
      auto& ot = out.topics.emplace_back();
      ot.name = t.name;
      for (const auto& p : t.partitions) {
        auto& op = ot.partitions.emplace_back();
        op.partition_index = p.partition_index;
        op.error_code = protocol::code(errors[i++]);
      }
    }
    answer->send(req->header, out);
  };
  if (c.offsets.empty()) {
    // Nothing allowed to commit: the coordinator does not see the request (a refused group
    // is not even created to hold offsets).
    reply({});
    return;
  }
  b.groups().commit_offsets(std::move(c), std::move(reply));
}
}  // namespace

const api_handler offset_commit{offset_commit_request::api_key, 0, 8, &handle};
static_assert(8 <= offset_commit_request::max_version);

}  // namespace brook::broker::handlers
