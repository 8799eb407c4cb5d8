// CreateAcls (key 30): adds ACL bindings to the ACL authorizer. Needs ALTER on the cluster
// (CLUSTER_AUTHORIZATION_FAILED); each invalid binding gets INVALID_REQUEST with Kafka's
// reason and is not added; without an ACL authorizer, SECURITY_DISABLED.
#include "protocol/messages/create_acls.h"
#include "base/log.h"
#include "broker/broker.h"
#include "broker/handlers/handlers.h"
#include "protocol/kafka_error.h"
#include "security/acl_authorizer.h"

namespace brook::broker::handlers {

namespace {
using protocol::create_acls_request;
using protocol::create_acls_response;
using protocol::kafka_error;

void handle(broker& b, std::shared_ptr<request_context> req, responder respond) {
  auto in = decode_or_close<create_acls_request>(*req, respond);
  if (!in) {
    return;
  }
  create_acls_response out;
  security::acl_authorizer* acls = b.acls();
  const bool allowed = req->authorized_on_cluster(security::acl_operation::alter);
  std::vector<security::acl_binding> valid;
  std::vector<size_t> valid_index;
  for (const auto& c : in->creations) {
    auto& r = out.results.emplace_back();
    r.error_code = 0;
    r.error_message.reset();
    if (acls == nullptr) {
      r.error_code = protocol::code(kafka_error::security_disabled);
      r.error_message = "No Authorizer is configured on the broker";
      continue;
    }
    if (!allowed) {
      r.error_code = protocol::code(kafka_error::cluster_authorization_failed);
      r.error_message =
          denied_message(security::resource_type::cluster, security::cluster_resource_name);
      continue;
    }
    auto binding =
        security::make_acl_binding(c.resource_type, c.resource_name, c.resource_pattern_type,
                                   c.principal, c.host, c.operation, c.permission_type);
    if (!binding) {
      r.error_code = protocol::code(kafka_error::invalid_request);
      r.error_message = binding.error();
      continue;
    }
    valid.push_back(std::move(*binding));
    valid_index.push_back(out.results.size() - 1);
  }
  if (!valid.empty()) {
    if (auto st = acls->create(valid); !st) {
      log::error("cannot store ACLs: {}", st.error().message());
      for (size_t i : valid_index) {
        out.results[i].error_code = protocol::code(kafka_error::unknown_server_error);
        out.results[i].error_message = "Cannot write the ACL store";
      }
    }
  }
  respond.send(req->header, out);
}
}  // namespace

const api_handler create_acls{create_acls_request::api_key, 0, 3, &handle};
static_assert(3 <= create_acls_request::max_version);

}  // namespace brook::broker::handlers
