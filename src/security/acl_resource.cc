#include "security/acl_resource.h"

namespace brook::security {

std::string_view resource_type_name(resource_type t) {
  switch (t) {
    case resource_type::topic:
      return "TOPIC";
    case resource_type::group:
      return "GROUP";
    case resource_type::cluster:
      return "CLUSTER";
    case resource_type::transactional_id:
      return "TRANSACTIONAL_ID";
  }
  return "UNKNOWN";
}

std::string_view acl_operation_name(acl_operation op) {
  switch (op) {
    case acl_operation::all:
      return "ALL";
    case acl_operation::read:
      return "READ";
    case acl_operation::write:
      return "WRITE";
    case acl_operation::create:
      return "CREATE";
    case acl_operation::remove:
      return "DELETE";
    case acl_operation::alter:
      return "ALTER";
    case acl_operation::describe:
      return "DESCRIBE";
    case acl_operation::cluster_action:
      return "CLUSTER_ACTION";
    case acl_operation::describe_configs:
      return "DESCRIBE_CONFIGS";
    case acl_operation::alter_configs:
      return "ALTER_CONFIGS";
    case acl_operation::idempotent_write:
      return "IDEMPOTENT_WRITE";
  }
  return "UNKNOWN";
}

std::string denied_message(resource_type type, std::string_view name) {
  switch (type) {
    case resource_type::topic:
      return "Not authorized to access topics: [" + std::string(name) + "]";
    case resource_type::group:
      return "Not authorized to access group: " + std::string(name);
    case resource_type::cluster:
      return "Cluster authorization failed.";
    case resource_type::transactional_id:
      return "Transactional Id authorization failed.";
  }
  return "Authorization failed.";
}

}  // namespace brook::security
