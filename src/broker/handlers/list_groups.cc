// ListGroups (key 16): every group of this coordinator; from v4 filtered by state
// (KIP-518: an empty filter lists all; unknown state names match nothing).
#include "protocol/messages/list_groups.h"
#include "broker/broker.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handlers.h"

namespace brook::broker::handlers {

namespace {
using protocol::list_groups_request;
using protocol::list_groups_response;

void handle(broker& b, std::shared_ptr<request_context> req, responder respond) {
  auto in = decode_or_close<list_groups_request>(*req, respond);
  if (!in) {
    return;
  }
  std::vector<group::group_state> states;
  for (const auto& name : in->states_filter) {
    if (auto s = group::parse_state(name)) {
      states.push_back(*s);
    }
  }
  bool filtered = !in->states_filter.empty();
  list_groups_response out;
  out.error_code = 0;
  // DESCRIBE on the cluster lists every group; otherwise those the principal may DESCRIBE.
  const bool all =
      req->permitted(security::acl_operation::describe, security::resource_type::cluster,
                     security::cluster_resource_name);
  for (auto& g : b.groups().list_groups()) {
    if (filtered && std::find(states.begin(), states.end(), g.state) == states.end()) {
      continue;
    }
    if (!all && !req->permitted(security::acl_operation::describe, security::resource_type::group,
                                g.group_id)) {
      continue;
    }
    auto& o = out.groups.emplace_back();
    o.group_id = std::move(g.group_id);
    o.protocol_type = std::move(g.protocol_type);
    o.group_state = group::state_name(g.state);
  }
  respond.send(req->header, out);
}
}  // namespace

const api_handler list_groups{list_groups_request::api_key, 0, 4, &handle};
static_assert(4 <= list_groups_request::max_version);

}  // namespace brook::broker::handlers
