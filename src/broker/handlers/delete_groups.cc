// DeleteGroups (key 42): removes empty groups and their committed offsets, answered once
// the deletion is durable. A group with members gets NON_EMPTY_GROUP; an unknown one
// GROUP_ID_NOT_FOUND.
#include "protocol/messages/delete_groups.h"
#include "broker/broker.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/refusals.h"

namespace brook::broker::handlers {

namespace {
using protocol::delete_groups_request;
using protocol::delete_groups_response;

void handle(broker& b, std::shared_ptr<request_context> req, responder respond) {
  auto in = decode_or_close<delete_groups_request>(*req, respond);
  if (!in) {
    return;
  }
  // Each group needs DELETE on it; the refused ones are answered without asking the
  // coordinator.
  auto names = std::make_shared<std::vector<std::string>>(in->groups_names);
  auto refusals = std::make_shared<std::vector<protocol::kafka_error>>();
  std::vector<std::string> allowed;
  for (const auto& name : *names) {
    bool ok =
        req->authorized(security::acl_operation::remove, security::resource_type::group, name);
    refusals->push_back(ok ? protocol::kafka_error::none
                           : protocol::kafka_error::group_authorization_failed);
    if (ok) {
      allowed.push_back(name);
    }
  }
  auto answer = std::make_shared<responder>(std::move(respond));
  b.groups().delete_groups(
      std::move(allowed),
      [req, answer, names, refusals](const std::vector<protocol::kafka_error>& answered) {
        const auto errors = merge_refusals(*refusals, answered);
        delete_groups_response out;
        for (size_t i = 0; i < names->size(); ++i) {
          auto& r = out.results.emplace_back();
          r.group_id = (*names)[i];
          r.error_code = protocol::code(errors[i]);
        }
        answer->send(req->header, out);
      });
}
}  // namespace

const api_handler delete_groups{delete_groups_request::api_key, 0, 2, &handle};
static_assert(2 <= delete_groups_request::max_version);

}  // namespace brook::broker::handlers
