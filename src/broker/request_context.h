// request_context: one Kafka request as a handler sees it: its header and frame, the
// connection's thread, the client's address, the listener it came in on, the principal it
// acts for and the authorizer to ask before acting. Handlers take this and nothing else
// about the request, so a new concern (quotas, audit) is a field here, not a parameter of
// every handler.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "broker/responder.h"
#include "broker/sasl_session.h"
#include "net/byte_budget.h"
#include "protocol/kafka_result.h"
#include "protocol/request_header.h"
#include "security/authorizer.h"
#include "security/principal.h"

namespace brook::broker {

struct request_context {
  protocol::request_header header;
  std::vector<std::byte> frame;           // the bytes after the size prefix; records point into it
  net::budget_lease frame_bytes;          // the frame's share of kafka.queued_max_request_bytes
  boost::asio::any_io_executor executor;  // the connection's thread
  std::string client_host;                // "/<peer address>", as Kafka reports it
  std::string listener = "PLAINTEXT";     // the name of the listener the request came in on
  security::principal principal;          // User:ANONYMOUS unless the connection authenticated
  const security::authorizer* authorizer = nullptr;  // never null once dispatched
  // The connection's authentication state: the SASL handlers change it, on the
  // connection's thread (never null once dispatched).
  std::shared_ptr<sasl_session> sasl;

  std::span<const std::byte> body() const {
    return std::span<const std::byte>(frame).subspan(header.body_offset);
  }

  // May this request's principal do `op` to the resource? The one question every handler
  // asks before acting; a refusal is audited.
  bool authorized(security::acl_operation op, security::resource_type type,
                  std::string_view name) const {
    return authorizer->authorize(principal, client_host, op, security::acl_resource{type, name});
  }
  // The same decision, told to nobody: for what is only left out of a list.
  bool permitted(security::acl_operation op, security::resource_type type,
                 std::string_view name) const {
    return authorizer->permits(principal, client_host, op, security::acl_resource{type, name});
  }
  bool authorized_on_cluster(security::acl_operation op) const {
    return authorized(op, security::resource_type::cluster, security::cluster_resource_name);
  }
  // May it do `op` to at least one resource of the type?
  bool authorized_on_any(security::acl_operation op, security::resource_type type) const {
    return authorizer->authorize_any(principal, client_host, op, type);
  }
  // Kafka's rule for creating a topic: CREATE on the cluster or on the topic itself.
  bool may_create_topic(std::string_view name) const;
  // Kafka's authorized-operations field (KIP-430): bit n set when AclOperation n is allowed,
  // over the operations that apply to the resource's type; 0 without DESCRIBE on it.
  int32_t authorized_operations(security::resource_type type, std::string_view name) const;
};

// What a refused request is told (security/acl_resource.h).
using security::denied_message;

// DescribeConfigs and the AlterConfigs APIs: `op` (DESCRIBE_CONFIGS or ALTER_CONFIGS) on the
// topic for a topic's configs (ConfigResource type 2), on the cluster for a broker's (4) or
// its loggers' (8). The refusal to answer, or nullopt when allowed (or the type is unknown:
// the handler refuses that itself).
std::optional<protocol::kafka_failure> config_access_refusal(const request_context& req,
                                                             int8_t config_resource_type,
                                                             std::string_view name,
                                                             security::acl_operation op);

}  // namespace brook::broker
