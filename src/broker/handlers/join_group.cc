// JoinGroup (key 11): a member joins or rejoins a group; the answer waits for the
// rebalance (group_coordinator). From v4 a member without an id is first answered
// MEMBER_ID_REQUIRED with one (KIP-394); from v5 members may be static (KIP-345).
#include "protocol/messages/join_group.h"
#include "broker/broker.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handlers.h"

namespace brook::broker::handlers {

namespace {
using protocol::join_group_request;
using protocol::join_group_response;

void handle(broker& b, std::shared_ptr<request_context> req, responder respond) {
  auto in = decode_or_close<join_group_request>(*req, respond);
  if (!in) {
    return;
  }
  int16_t version = req->header.api_version;
  if (!req->authorized(security::acl_operation::read, security::resource_type::group,
                       in->group_id)) {
    join_group_response out;
    out.error_code = protocol::code(protocol::kafka_error::group_authorization_failed);
    out.generation_id = -1;
    out.protocol_name = "";
    if (version >= 7) {
      out.protocol_name.reset();
    }
    out.member_id = "";
    respond.send(req->header, out);
    return;
  }
  group::join_request j;
  j.group_id = std::move(in->group_id);
  j.member_id = std::move(in->member_id);
  j.instance_id = std::move(in->group_instance_id);
  j.client_id = req->header.client_id.value_or("");
  j.client_host = req->client_host;
  j.session_timeout_ms = in->session_timeout_ms;
  // v0 has no rebalance timeout: the session timeout served for both.
  j.rebalance_timeout_ms = version >= 1 ? in->rebalance_timeout_ms : in->session_timeout_ms;
  j.protocol_type = std::move(in->protocol_type);
  for (auto& p : in->protocols) {
    j.protocols.push_back({std::move(p.name), std::move(p.metadata)});
  }
  j.require_known_member_id = version >= 4;
  auto answer = std::make_shared<responder>(std::move(respond));
  b.groups().join(std::move(j), [req, answer](group::join_result r) {
    join_group_response out;
    out.error_code = protocol::code(r.error);
    out.generation_id = r.generation;
    if (!r.protocol_type.empty()) {
      out.protocol_type = r.protocol_type;
    }
    // Up to v6 the protocol name is not nullable: "" stands for none.
    out.protocol_name = r.protocol_name.value_or("");
    if (req->header.api_version >= 7 && !r.protocol_name) {
      out.protocol_name.reset();
    }
    out.leader = std::move(r.leader);
    out.member_id = std::move(r.member_id);
    for (auto& m : r.members) {
      auto& o = out.members.emplace_back();
      o.member_id = std::move(m.member_id);
      o.group_instance_id = std::move(m.instance_id);
      o.metadata = std::move(m.metadata);
    }
    answer->send(req->header, out);
  });
}
}  // namespace

const api_handler join_group{join_group_request::api_key, 0, 7, &handle};
static_assert(7 <= join_group_request::max_version);

}  // namespace brook::broker::handlers
