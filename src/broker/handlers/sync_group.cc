// SyncGroup (key 14): after a rebalance the leader sends the assignments; every member
// waits for its own, which goes out once the group's new generation is stored.
#include "protocol/messages/sync_group.h"
#include "broker/broker.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handlers.h"

namespace brook::broker::handlers {

namespace {
using protocol::sync_group_request;
using protocol::sync_group_response;

void handle(broker& b, std::shared_ptr<request_context> req, responder respond) {
  auto in = decode_or_close<sync_group_request>(*req, respond);
  if (!in) {
    return;
  }
  if (!req->authorized(security::acl_operation::read, security::resource_type::group,
                       in->group_id)) {
    sync_group_response out;
    out.error_code = protocol::code(protocol::kafka_error::group_authorization_failed);
    respond.send(req->header, out);
    return;
  }
  group::sync_request s;
  s.group_id = std::move(in->group_id);
  s.generation = in->generation_id;
  s.member_id = std::move(in->member_id);
  s.instance_id = std::move(in->group_instance_id);
  s.protocol_type = std::move(in->protocol_type);
  s.protocol_name = std::move(in->protocol_name);
  for (auto& a : in->assignments) {
    s.assignments.emplace_back(std::move(a.member_id), std::move(a.assignment));
  }
  auto answer = std::make_shared<responder>(std::move(respond));
  b.groups().sync(std::move(s), [req, answer](group::sync_result r) {
    sync_group_response out;
    out.error_code = protocol::code(r.error);
    if (!r.protocol_type.empty()) {
      out.protocol_type = std::move(r.protocol_type);
    }
    out.protocol_name = std::move(r.protocol_name);
    out.assignment = std::move(r.assignment);
    answer->send(req->header, out);
  });
}
}  // namespace

const api_handler sync_group{sync_group_request::api_key, 0, 5, &handle};
static_assert(5 <= sync_group_request::max_version);

}  // namespace brook::broker::handlers
