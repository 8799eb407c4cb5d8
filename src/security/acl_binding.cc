#include "security/acl_binding.h"

namespace brook::security {
namespace {

bool known_resource_type(int8_t t) {
  return t >= 2 && t <= 5;  // TOPIC, GROUP, CLUSTER, TRANSACTIONAL_ID
}

bool known_operation(int8_t op) {
  return op >= 2 && op <= 12;  // ALL .. IDEMPOTENT_WRITE
}

bool valid_principal(std::string_view p) {
  const size_t colon = p.find(':');
  return colon != std::string_view::npos && colon > 0 && colon + 1 < p.size();
}

}  // namespace

std::string_view pattern_type_name(pattern_type p) {
  switch (p) {
    case pattern_type::any:
      return "ANY";
    case pattern_type::match:
      return "MATCH";
    case pattern_type::literal:
      return "LITERAL";
    case pattern_type::prefixed:
      return "PREFIXED";
  }
  return "UNKNOWN";
}

std::string_view acl_permission_name(acl_permission p) {
  switch (p) {
    case acl_permission::any:
      return "ANY";
    case acl_permission::deny:
      return "DENY";
    case acl_permission::allow:
      return "ALLOW";
  }
  return "UNKNOWN";
}

expected<acl_binding, std::string> make_acl_binding(int8_t resource_type_code,
                                                    std::string_view resource_name, int8_t pattern,
                                                    std::string_view principal,
                                                    std::string_view host, int8_t operation,
                                                    int8_t permission) {
  if (!known_resource_type(resource_type_code)) {
    return unexpected("Invalid resource type " + std::to_string(resource_type_code) +
                      ": an ACL names one resource type");
  }
  if (pattern != static_cast<int8_t>(pattern_type::literal) &&
      pattern != static_cast<int8_t>(pattern_type::prefixed)) {
    return unexpected("Invalid pattern type " + std::to_string(pattern) +
                      ": an ACL's pattern is LITERAL or PREFIXED");
  }
  if (!known_operation(operation)) {
    return unexpected("Invalid operation " + std::to_string(operation) +
                      ": an ACL names one operation");
  }
  if (permission != static_cast<int8_t>(acl_permission::allow) &&
      permission != static_cast<int8_t>(acl_permission::deny)) {
    return unexpected("Invalid permission type " + std::to_string(permission) +
                      ": an ACL ALLOWs or DENYs");
  }
  if (!valid_principal(principal)) {
    return unexpected("Invalid principal '" + std::string(principal) +
                      "': a principal is Type:name, such as User:alice or User:*");
  }
  if (host.empty()) {
    return unexpected(std::string("Invalid host: an ACL's host is an address or *"));
  }
  if (resource_name.empty()) {
    return unexpected(std::string("Invalid resource name: it must not be empty"));
  }
  const auto type = static_cast<resource_type>(resource_type_code);
  if (type == resource_type::cluster && resource_name != cluster_resource_name) {
    return unexpected(std::string("The only valid name for the CLUSTER resource is kafka-cluster"));
  }
  acl_binding b;
  b.type = type;
  b.name = std::string(resource_name);
  b.pattern = static_cast<pattern_type>(pattern);
  b.principal = std::string(principal);
  b.host = std::string(host);
  b.operation = static_cast<acl_operation>(operation);
  b.permission = static_cast<acl_permission>(permission);
  return b;
}

expected<acl_filter, std::string> make_acl_filter(int8_t resource_type_code,
                                                  std::optional<std::string> resource_name,
                                                  int8_t pattern,
                                                  std::optional<std::string> principal,
                                                  std::optional<std::string> host, int8_t operation,
                                                  int8_t permission) {
  if (resource_type_code != any_code && !known_resource_type(resource_type_code)) {
    return unexpected("Invalid resource type filter " + std::to_string(resource_type_code));
  }
  if (pattern < 1 || pattern > 4) {
    return unexpected("Invalid pattern type filter " + std::to_string(pattern));
  }
  if (operation != any_code && !known_operation(operation)) {
    return unexpected("Invalid operation filter " + std::to_string(operation));
  }
  if (permission < 1 || permission > 3) {
    return unexpected("Invalid permission type filter " + std::to_string(permission));
  }
  acl_filter f;
  f.type = resource_type_code;
  f.name = std::move(resource_name);
  f.pattern = static_cast<pattern_type>(pattern);
  f.principal = std::move(principal);
  f.host = std::move(host);
  f.operation = operation;
  f.permission = static_cast<acl_permission>(permission);
  return f;
}

bool acl_filter::matches(const acl_binding& b) const {
  if (type != any_code && type != static_cast<int8_t>(b.type)) {
    return false;
  }
  switch (pattern) {
    case pattern_type::any:
      if (name && *name != b.name) {
        return false;
      }
      break;
    case pattern_type::match:
      if (name) {
        const bool literal_hit =
            b.pattern == pattern_type::literal && (b.name == *name || b.name == "*");
        const bool prefix_hit =
            b.pattern == pattern_type::prefixed && name->compare(0, b.name.size(), b.name) == 0;
        if (!literal_hit && !prefix_hit) {
          return false;
        }
      }
      break;
    case pattern_type::literal:
    case pattern_type::prefixed:
      if (b.pattern != pattern || (name && *name != b.name)) {
        return false;
      }
      break;
  }
  if (principal && *principal != b.principal) {
    return false;
  }
  if (host && *host != b.host) {
    return false;
  }
  if (operation != any_code && operation != static_cast<int8_t>(b.operation)) {
    return false;
  }
  return permission == acl_permission::any || permission == b.permission;
}

}  // namespace brook::security
