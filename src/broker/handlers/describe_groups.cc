// DescribeGroups (key 15): state, protocol and members of groups. An unknown group is
// described as Dead with no error, as Kafka does up to v5. Members' metadata and
// assignments are given only while the group is Stable.
#include "protocol/messages/describe_groups.h"
#include "broker/broker.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handlers.h"
#include "protocol/kafka_error.h"

namespace brook::broker::handlers {

namespace {
using protocol::describe_groups_request;
using protocol::describe_groups_response;

constexpr int32_t no_authorized_operations = INT32_MIN;

void handle(broker& b, std::shared_ptr<request_context> req, responder respond) {
  auto in = decode_or_close<describe_groups_request>(*req, respond);
  if (!in) {
    return;
  }
  describe_groups_response out;
  for (const auto& id : in->groups) {
    auto& o = out.groups.emplace_back();
    o.group_id = id;
    if (id.empty()) {
      o.error_code = protocol::code(protocol::kafka_error::invalid_group_id);
      o.group_state = group::state_name(group::group_state::dead);
      o.authorized_operations = no_authorized_operations;
      continue;
    }
    if (!req->authorized(security::acl_operation::describe, security::resource_type::group, id)) {
      o.error_code = protocol::code(protocol::kafka_error::group_authorization_failed);
      o.group_state = "";
      o.authorized_operations = no_authorized_operations;
      continue;
    }
    auto d = b.groups().describe(id);
    o.error_code = 0;
    o.group_state = group::state_name(d.state);
    o.protocol_type = std::move(d.protocol_type);
    o.protocol_data = std::move(d.protocol_name);
    for (auto& m : d.members) {
      auto& om = o.members.emplace_back();
      om.member_id = std::move(m.member_id);
      om.group_instance_id = std::move(m.instance_id);
      om.client_id = std::move(m.client_id);
      om.client_host = std::move(m.client_host);
      om.member_metadata = std::move(m.metadata);
      om.member_assignment = std::move(m.assignment);
    }
    o.authorized_operations = in->include_authorized_operations
                                  ? req->authorized_operations(security::resource_type::group, id)
                                  : no_authorized_operations;
  }
  respond.send(req->header, out);
}
}  // namespace

const api_handler describe_groups{describe_groups_request::api_key, 0, 5, &handle};
static_assert(5 <= describe_groups_request::max_version);

}  // namespace brook::broker::handlers
