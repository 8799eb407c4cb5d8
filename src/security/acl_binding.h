// acl_binding: one ACL in Kafka's model, a resource pattern (type, name, LITERAL or
// PREFIXED) and an entry (principal, host, operation, ALLOW or DENY); and acl_filter, what
// DescribeAcls and DeleteAcls select bindings with (ANY and MATCH allowed). Codes are
// Kafka's (ResourceType, PatternType, AclOperation, AclPermissionType).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/expected.h"
#include "security/acl_resource.h"

namespace brook::security {

// Kafka's PatternType codes.
enum class pattern_type : int8_t { any = 1, match = 2, literal = 3, prefixed = 4 };
// Kafka's AclPermissionType codes.
enum class acl_permission : int8_t { any = 1, deny = 2, allow = 3 };
// The filter code "any" of resource types and operations.
constexpr int8_t any_code = 1;

std::string_view pattern_type_name(pattern_type p);
std::string_view acl_permission_name(acl_permission p);

struct acl_binding {
  resource_type type = resource_type::topic;
  std::string name;
  pattern_type pattern = pattern_type::literal;
  std::string principal;  // "User:alice", "User:*"
  std::string host;       // an IP address, or "*"
  acl_operation operation = acl_operation::read;
  acl_permission permission = acl_permission::allow;
  bool operator==(const acl_binding&) const = default;
  auto operator<=>(const acl_binding&) const = default;  // NOLINT(modernize-use-nullptr)
};

// A binding from Kafka's codes, checked as CreateAcls checks it: a resource type, pattern
// type, operation and permission that name one thing (no ANY, MATCH or UNKNOWN), a
// principal "Type:name", a non-empty host, "kafka-cluster" for the cluster, a non-empty
// name. The error is the message Kafka's InvalidRequestException carries.
expected<acl_binding, std::string> make_acl_binding(int8_t resource_type,
                                                    std::string_view resource_name, int8_t pattern,
                                                    std::string_view principal,
                                                    std::string_view host, int8_t operation,
                                                    int8_t permission);

struct acl_filter {
  int8_t type = any_code;
  std::optional<std::string> name;  // none: any
  pattern_type pattern = pattern_type::literal;
  std::optional<std::string> principal;
  std::optional<std::string> host;
  int8_t operation = any_code;
  acl_permission permission = acl_permission::any;

  // As Kafka's AclBindingFilter.matches: MATCH selects the literal name, the literal "*"
  // and every prefix of the name.
  bool matches(const acl_binding& b) const;
};

// A filter from Kafka's codes; refused for unknown codes (the error says which).
expected<acl_filter, std::string> make_acl_filter(int8_t resource_type,
                                                  std::optional<std::string> resource_name,
                                                  int8_t pattern,
                                                  std::optional<std::string> principal,
                                                  std::optional<std::string> host, int8_t operation,
                                                  int8_t permission);

}  // namespace brook::security
