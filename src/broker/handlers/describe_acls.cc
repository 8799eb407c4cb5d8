// DescribeAcls (key 29): the ACL bindings a filter selects, grouped by resource pattern.
// Needs DESCRIBE on the cluster (CLUSTER_AUTHORIZATION_FAILED); an invalid filter gets
// INVALID_REQUEST; without an ACL authorizer, SECURITY_DISABLED.
#include "protocol/messages/describe_acls.h"
#include "broker/broker.h"
#include "broker/handlers/handlers.h"
#include "protocol/kafka_error.h"
#include "security/acl_authorizer.h"

namespace brook::broker::handlers {

namespace {
using protocol::describe_acls_request;
using protocol::describe_acls_response;
using protocol::kafka_error;

void handle(broker& b, std::shared_ptr<request_context> req, responder respond) {
  auto in = decode_or_close<describe_acls_request>(*req, respond);
  if (!in) {
    return;
  }
  describe_acls_response out;
  out.error_code = 0;
  out.error_message.reset();
  security::acl_authorizer* acls = b.acls();
  if (acls == nullptr) {
    out.error_code = protocol::code(kafka_error::security_disabled);
    out.error_message = "No Authorizer is configured on the broker";
    respond.send(req->header, out);
    return;
  }
  if (!req->authorized_on_cluster(security::acl_operation::describe)) {
    out.error_code = protocol::code(kafka_error::cluster_authorization_failed);
    out.error_message =
        denied_message(security::resource_type::cluster, security::cluster_resource_name);
    respond.send(req->header, out);
    return;
  }
  auto filter = security::make_acl_filter(in->resource_type_filter, in->resource_name_filter,
                                          in->pattern_type_filter, in->principal_filter,
                                          in->host_filter, in->operation, in->permission_type);
  if (!filter) {
    out.error_code = protocol::code(kafka_error::invalid_request);
    out.error_message = filter.error();
    respond.send(req->header, out);
    return;
  }
  describe_acls_response::describe_acls_resource* current = nullptr;
  for (const auto& binding : acls->describe(*filter)) {
    // Bindings come ordered by resource pattern first: a new pattern starts a new entry.
    if (current == nullptr || current->resource_type != static_cast<int8_t>(binding.type) ||
        current->resource_name != binding.name ||
        current->pattern_type != static_cast<int8_t>(binding.pattern)) {
      current = &out.resources.emplace_back();
      current->resource_type = static_cast<int8_t>(binding.type);
      current->resource_name = binding.name;
      current->pattern_type = static_cast<int8_t>(binding.pattern);
    }
    auto& a = current->acls.emplace_back();
    a.principal = binding.principal;
    a.host = binding.host;
    a.operation = static_cast<int8_t>(binding.operation);
    a.permission_type = static_cast<int8_t>(binding.permission);
  }
  respond.send(req->header, out);
}
}  // namespace

const api_handler describe_acls{describe_acls_request::api_key, 0, 3, &handle};
static_assert(3 <= describe_acls_request::max_version);

}  // namespace brook::broker::handlers
