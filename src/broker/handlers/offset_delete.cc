// OffsetDelete (key 47, KIP-496): removes a group's committed offsets of some partitions.
// While the group is active, partitions of topics its members subscribe to are refused
// (GROUP_SUBSCRIBED_TO_TOPIC).
#include "protocol/messages/offset_delete.h"
#include "broker/broker.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/refusals.h"

namespace brook::broker::handlers {

namespace {
using protocol::offset_delete_request;
using protocol::offset_delete_response;

void handle(broker& b, std::shared_ptr<request_context> req, responder respond) {
  auto in = decode_or_close<offset_delete_request>(*req, respond);
  if (!in) {
    return;
  }
  offset_delete_response out;
  // DELETE on the group (else the whole request is refused), READ on each topic.
  if (!req->authorized(security::acl_operation::remove, security::resource_type::group,
                       in->group_id)) {
    out.error_code = protocol::code(protocol::kafka_error::group_authorization_failed);
    respond.send(req->header, out);
    return;
  }
  std::vector<group::topic_partition> partitions;
  auto refusals = std::make_shared<std::vector<protocol::kafka_error>>();
  for (const auto& t : in->topics) {
    const bool allowed =
        req->authorized(security::acl_operation::read, security::resource_type::topic, t.name);
    for (const auto& p : t.partitions) {
      refusals->push_back(allowed ? protocol::kafka_error::none
                                  : protocol::kafka_error::topic_authorization_failed);
      if (allowed) {
        partitions.emplace_back(t.name, p.partition_index);
      }
    }
  }
  auto body = std::make_shared<offset_delete_request>(std::move(*in));
  auto answer = std::make_shared<responder>(std::move(respond));
  b.groups().delete_offsets(
      body->group_id, std::move(partitions),
      [req, answer, body, refusals](protocol::kafka_error error,
                                    const std::vector<protocol::kafka_error>& answered) {
        offset_delete_response out;
        out.error_code = protocol::code(error);
        if (error == protocol::kafka_error::none) {
          const auto errors = merge_refusals(*refusals, answered);
          size_t i = 0;
          for (const auto& t : body->topics) {
            auto& ot = out.topics.emplace_back();
            ot.name = t.name;
            for (const auto& p : t.partitions) {
              auto& op = ot.partitions.emplace_back();
              op.partition_index = p.partition_index;
              op.error_code = protocol::code(errors[i++]);
            }
          }
        }
        answer->send(req->header, out);
      });
}
}  // namespace

const api_handler offset_delete{offset_delete_request::api_key, 0, 0, &handle};

}  // namespace brook::broker::handlers
