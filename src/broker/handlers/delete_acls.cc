// DeleteAcls (key 31): removes the ACL bindings each filter selects and answers them.
// Needs ALTER on the cluster (CLUSTER_AUTHORIZATION_FAILED); an invalid filter gets
// INVALID_REQUEST; without an ACL authorizer, SECURITY_DISABLED.
#include "protocol/messages/delete_acls.h"
#include "base/log.h"
#include "broker/broker.h"
#include "broker/handlers/handlers.h"
#include "protocol/kafka_error.h"
#include "security/acl_authorizer.h"

namespace brook::broker::handlers {

namespace {
using protocol::delete_acls_request;
using protocol::delete_acls_response;
using protocol::kafka_error;

void handle(broker& b, std::shared_ptr<request_context> req, responder respond) {
  auto in = decode_or_close<delete_acls_request>(*req, respond);
  if (!in) {
    return;
  }
  delete_acls_response out;
  security::acl_authorizer* acls = b.acls();
  const bool allowed = req->authorized_on_cluster(security::acl_operation::alter);
  for (const auto& f : in->filters) {
    auto& r = out.filter_results.emplace_back();
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
    auto filter = security::make_acl_filter(f.resource_type_filter, f.resource_name_filter,
                                            f.pattern_type_filter, f.principal_filter,
                                            f.host_filter, f.operation, f.permission_type);
    if (!filter) {
      r.error_code = protocol::code(kafka_error::invalid_request);
      r.error_message = filter.error();
      continue;
    }
    auto removed = acls->remove(*filter);
    if (!removed) {
      log::error("cannot delete ACLs: {}", removed.error().message());
      r.error_code = protocol::code(kafka_error::unknown_server_error);
      r.error_message = "Cannot write the ACL store";
      continue;
    }
    for (const auto& binding : *removed) {
      auto& m = r.matching_acls.emplace_back();
      m.error_code = 0;
      m.error_message.reset();
      m.resource_type = static_cast<int8_t>(binding.type);
      m.resource_name = binding.name;
      m.pattern_type = static_cast<int8_t>(binding.pattern);
      m.principal = binding.principal;
      m.host = binding.host;
      m.operation = static_cast<int8_t>(binding.operation);
      m.permission_type = static_cast<int8_t>(binding.permission);
    }
  }
  respond.send(req->header, out);
}
}  // namespace

const api_handler delete_acls{delete_acls_request::api_key, 0, 3, &handle};
static_assert(3 <= delete_acls_request::max_version);

}  // namespace brook::broker::handlers
