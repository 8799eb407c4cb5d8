// DeleteGroups (key 42): removes empty groups and their committed offsets, answered once
// the deletion is durable. A group with members gets NON_EMPTY_GROUP; an unknown one
// GROUP_ID_NOT_FOUND.
#include "protocol/messages/delete_groups.h"
#include "broker/broker.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handlers.h"

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
  auto refused = std::make_shared<std::vector<bool>>();
  std::vector<std::string> allowed;
  for (const auto& name : *names) {
    bool ok =
        req->authorized(security::acl_operation::remove, security::resource_type::group, name);
    refused->push_back(!ok);
    if (ok) {
      allowed.push_back(name);
    }
  }
  auto answer = std::make_shared<responder>(std::move(respond));
  b.groups().delete_groups(
      std::move(allowed), [req, answer, names, refused](std::vector<protocol::kafka_error> errors) {
        delete_groups_response out;
        size_t next = 0;
        for (size_t i = 0; i < names->size(); ++i) {
          auto& r = out.results.emplace_back();
          r.group_id = (*names)[i];
          r.error_code =
              protocol::code((*refused)[i] ? protocol::kafka_error::group_authorization_failed
                                           : errors.at(next++));
        }
        answer->send(req->header, out);
      });
}
}  // namespace

const api_handler delete_groups{delete_groups_request::api_key, 0, 2, &handle};
static_assert(2 <= delete_groups_request::max_version);

}  // namespace brook::broker::handlers
