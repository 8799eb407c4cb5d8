// LeaveGroup (key 13): members leave at once instead of timing out; from v3 several at a
// time, by member id or by static instance id (KIP-345).
#include "protocol/messages/leave_group.h"
#include "broker/broker.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handlers.h"

namespace brook::broker::handlers {

namespace {
using protocol::leave_group_request;
using protocol::leave_group_response;

void handle(broker& b, std::shared_ptr<request_context> req, responder respond) {
  auto in = decode_or_close<leave_group_request>(*req, respond);
  if (!in) {
    return;
  }
  bool batched = req->header.api_version >= 3;
  std::vector<group::leave_member> leaving;
  if (batched) {
    for (auto& m : in->members) {
      leaving.push_back({m.member_id, m.group_instance_id});
    }
  } else {
    leaving.push_back({in->member_id, std::nullopt});
  }
  leave_group_response out;
  if (!req->authorized(security::acl_operation::read, security::resource_type::group,
                       in->group_id)) {
    out.error_code = protocol::code(protocol::kafka_error::group_authorization_failed);
    respond.send(req->header, out);
    return;
  }
  auto r = b.groups().leave(in->group_id, leaving);
  out.error_code = protocol::code(r.error);
  if (batched) {
    for (size_t i = 0; i < r.members.size(); ++i) {
      auto& m = out.members.emplace_back();
      m.member_id = leaving[i].member_id;
      m.group_instance_id = leaving[i].instance_id;
      m.error_code = protocol::code(r.members[i]);
    }
  } else if (r.error == protocol::kafka_error::none && !r.members.empty()) {
    // Before v3 the one member's error is the answer's.
    out.error_code = protocol::code(r.members[0]);
  }
  respond.send(req->header, out);
}
}  // namespace

const api_handler leave_group{leave_group_request::api_key, 0, 4, &handle};
static_assert(4 <= leave_group_request::max_version);

}  // namespace brook::broker::handlers
