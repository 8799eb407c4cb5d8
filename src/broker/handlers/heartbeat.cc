// Heartbeat (key 12): keeps a member's session alive; the answer tells it whether a
// rebalance has begun (REBALANCE_IN_PROGRESS: rejoin).
#include "protocol/messages/heartbeat.h"
#include "broker/broker.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handlers.h"

namespace brook::broker::handlers {

namespace {
using protocol::heartbeat_request;
using protocol::heartbeat_response;

void handle(broker& b, std::shared_ptr<request_context> req, responder respond) {
  auto in = decode_or_close<heartbeat_request>(*req, respond);
  if (!in) {
    return;
  }
  heartbeat_response out;
  if (!req->authorized(security::acl_operation::read, security::resource_type::group,
                       in->group_id)) {
    out.error_code = protocol::code(protocol::kafka_error::group_authorization_failed);
  } else {
    out.error_code = protocol::code(b.groups().heartbeat(in->group_id, in->member_id,
                                                         in->group_instance_id, in->generation_id));
  }
  respond.send(req->header, out);
}
}  // namespace

const api_handler heartbeat{heartbeat_request::api_key, 0, 4, &handle};
static_assert(4 <= heartbeat_request::max_version);

}  // namespace brook::broker::handlers
