#include "broker/request_context.h"

#include <span>

namespace brook::broker {

namespace {
using security::acl_operation;
using security::resource_type;

// The operations Kafka reports for each resource type (AclOperation codes).
constexpr acl_operation topic_operations[] = {acl_operation::read,
                                              acl_operation::write,
                                              acl_operation::create,
                                              acl_operation::remove,
                                              acl_operation::alter,
                                              acl_operation::describe,
                                              acl_operation::describe_configs,
                                              acl_operation::alter_configs};
constexpr acl_operation group_operations[] = {acl_operation::read, acl_operation::remove,
                                              acl_operation::describe};
constexpr acl_operation cluster_operations[] = {
    acl_operation::create,           acl_operation::alter,
    acl_operation::describe,         acl_operation::cluster_action,
    acl_operation::describe_configs, acl_operation::alter_configs,
    acl_operation::idempotent_write};
constexpr acl_operation transactional_id_operations[] = {acl_operation::write,
                                                         acl_operation::describe};

std::span<const acl_operation> operations_of(resource_type type) {
  switch (type) {
    case resource_type::topic:
      return topic_operations;
    case resource_type::group:
      return group_operations;
    case resource_type::cluster:
      return cluster_operations;
    case resource_type::transactional_id:
      return transactional_id_operations;
  }
  return {};
}
}  // namespace

bool request_context::may_create_topic(std::string_view name) const {
  if (permitted(acl_operation::create, resource_type::cluster, security::cluster_resource_name) ||
      permitted(acl_operation::create, resource_type::topic, name)) {
    return true;
  }
  authorizer->denied(principal, client_host, acl_operation::create,
                     security::acl_resource{resource_type::topic, name});
  return false;
}

int32_t request_context::authorized_operations(resource_type type, std::string_view name) const {
  int32_t bits = 0;
  for (acl_operation op : operations_of(type)) {
    if (permitted(op, type, name)) {
      bits |= int32_t{1} << static_cast<int>(op);
    }
  }
  // As Kafka: nothing is reported to who may not DESCRIBE the resource (every type's list
  // holds DESCRIBE).
  return (bits & (int32_t{1} << static_cast<int>(acl_operation::describe))) != 0 ? bits : 0;
}

std::optional<protocol::kafka_failure> config_access_refusal(const request_context& req,
                                                             int8_t config_resource_type,
                                                             std::string_view name,
                                                             security::acl_operation op) {
  constexpr int8_t topic_configs = 2;
  constexpr int8_t broker_configs = 4;
  constexpr int8_t broker_logger_configs = 8;
  if (config_resource_type == topic_configs) {
    if (!req.authorized(op, resource_type::topic, name)) {
      return protocol::kafka_failure{protocol::kafka_error::topic_authorization_failed,
                                     denied_message(resource_type::topic, name)};
    }
  } else if (config_resource_type == broker_configs ||
             config_resource_type == broker_logger_configs) {
    if (!req.authorized_on_cluster(op)) {
      return protocol::kafka_failure{protocol::kafka_error::cluster_authorization_failed,
                                     denied_message(resource_type::cluster, name)};
    }
  }
  return std::nullopt;
}

}  // namespace brook::broker
