// The resources and operations of Kafka's ACL model, as the authorizer is asked about them
// (the names and codes are Kafka's: ResourceType and AclOperation in its protocol).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace brook::security {

enum class resource_type : int8_t {
  topic = 2,
  group = 3,
  cluster = 4,
  transactional_id = 5,
};

enum class acl_operation : int8_t {
  all = 2,
  read = 3,
  write = 4,
  create = 5,
  remove = 6,  // Kafka's DELETE
  alter = 7,
  describe = 8,
  cluster_action = 9,
  describe_configs = 10,
  alter_configs = 11,
  idempotent_write = 12,
};

// The cluster's one resource name, as Kafka names it.
inline constexpr std::string_view cluster_resource_name = "kafka-cluster";

// What the authorizer is asked about: a view of the caller's name, so that a check (one
// per topic of every Produce and Fetch) copies nothing.
struct acl_resource {
  resource_type type = resource_type::cluster;
  std::string_view name = cluster_resource_name;
};

std::string_view resource_type_name(resource_type t);
std::string_view acl_operation_name(acl_operation op);

// What a refused request is told, in Kafka's words (on both ports): "Not authorized to
// access topics: [orders]", "Not authorized to access group: billing", "Cluster
// authorization failed.".
std::string denied_message(resource_type type, std::string_view name);

}  // namespace brook::security
