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
  auto names = std::make_shared<std::vector<std::string>>(in->groups_names);
  auto answer = std::make_shared<responder>(std::move(respond));
  b.groups().delete_groups(std::move(in->groups_names),
                           [req, answer, names](std::vector<protocol::kafka_error> errors) {
                             delete_groups_response out;
                             for (size_t i = 0; i < names->size(); ++i) {
                               auto& r = out.results.emplace_back();
                               r.group_id = (*names)[i];
                               r.error_code = protocol::code(errors.at(i));
                             }
                             answer->send(req->header, out);
                           });
}
}  // namespace

const api_handler delete_groups{delete_groups_request::api_key, 0, 2, &handle};
static_assert(2 <= delete_groups_request::max_version);

}  // namespace brook::broker::handlers
