// IncrementalAlterConfigs (key 44): changes individual config overrides of a topic: SET
// (0) or DELETE (1) a key, APPEND (2) to or SUBTRACT (3) from a list-typed key (only
// cleanup.policy is one). The operations apply to the topic's current overrides and the
// result replaces them as a whole, validated first. Broker resources are refused: Brook's
// broker configuration is static.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "broker/broker.h"
#include "broker/handlers/handlers.h"
#include "protocol/kafka_error.h"
#include "protocol/messages/incremental_alter_configs.h"
#include "storage/topic_config.h"
#include "storage/topic_name.h"

namespace brook::broker::handlers {

namespace {
using protocol::incremental_alter_configs_request;
using protocol::incremental_alter_configs_response;
using protocol::kafka_error;
using resource = incremental_alter_configs_request::alter_configs_resource;

// Kafka's ConfigResource.Type codes.
constexpr int8_t topic_resource = 2;
constexpr int8_t broker_resource = 4;

// Kafka's AlterConfigOp.OpType codes.
constexpr int8_t op_set = 0;
constexpr int8_t op_delete = 1;
constexpr int8_t op_append = 2;
constexpr int8_t op_subtract = 3;

std::string_view trim(std::string_view s) {
  while (!s.empty() && static_cast<unsigned char>(s.front()) <= ' ') {
    s.remove_prefix(1);
  }
  while (!s.empty() && static_cast<unsigned char>(s.back()) <= ' ') {
    s.remove_suffix(1);
  }
  return s;
}

// A comma-separated list value, elements trimmed, empty ones dropped.
std::vector<std::string> split_list(std::string_view value) {
  std::vector<std::string> out;
  while (true) {
    auto comma = value.find(',');
    auto element = trim(value.substr(0, comma));
    if (!element.empty()) {
      out.emplace_back(element);
    }
    if (comma == std::string_view::npos) {
      return out;
    }
    value.remove_prefix(comma + 1);
  }
}

std::string join_list(const std::vector<std::string>& elements) {
  std::string out;
  for (const auto& e : elements) {
    out += (out.empty() ? "" : ",") + e;
  }
  return out;
}

admin_status alter(broker& b, const resource& r, bool validate_only) {
  if (r.resource_type == broker_resource) {
    return admin_error{kafka_error::invalid_request,
                       "Brook's broker configuration is static: change the server's "
                       "configuration and restart it."};
  }
  if (r.resource_type != topic_resource) {
    return admin_error{kafka_error::invalid_request,
                       "Unsupported resource type " + std::to_string(r.resource_type) +
                           ": Brook alters the configs of topics (2) only."};
  }
  if (auto bad = storage::validate_topic_name(r.resource_name)) {
    return admin_error{kafka_error::invalid_topic_exception, *bad};
  }
  auto t = b.topics().find(r.resource_name);
  if (!t) {
    return admin_error{kafka_error::unknown_topic_or_partition,
                       "The topic '" + r.resource_name + "' does not exist."};
  }
  std::set<std::string> seen;
  for (const auto& c : r.configs) {
    if (!seen.insert(c.name).second) {
      return admin_error{kafka_error::invalid_request, "Error due to duplicate config keys"};
    }
  }
  // Types and current values (override or default) of every key.
  auto current = storage::describe_topic_configs(b.topics().server_defaults(), t->overrides);
  auto find_entry = [&](const std::string& key) -> const storage::topic_config_entry* {
    auto it = std::find_if(current.begin(), current.end(),
                           [&](const storage::topic_config_entry& e) { return e.name == key; });
    return it == current.end() ? nullptr : &*it;
  };
  std::map<std::string, std::string> overrides = t->overrides;
  for (const auto& c : r.configs) {
    if (c.config_operation == op_delete) {
      overrides.erase(c.name);
      continue;
    }
    if (c.config_operation != op_set && c.config_operation != op_append &&
        c.config_operation != op_subtract) {
      return admin_error{kafka_error::invalid_request, "Unknown config operation " +
                                                           std::to_string(c.config_operation) +
                                                           " for config key: " + c.name};
    }
    if (!c.value) {
      return admin_error{kafka_error::invalid_request, "Null value not supported for: " + c.name};
    }
    if (c.config_operation == op_set) {
      overrides[c.name] = *c.value;
      continue;
    }
    const bool append = c.config_operation == op_append;
    const auto* entry = find_entry(c.name);
    if (entry == nullptr) {
      return admin_error{kafka_error::invalid_config, "Unknown topic config name: " + c.name};
    }
    if (entry->type != storage::config_type::list) {
      return admin_error{kafka_error::invalid_config,
                         std::string("Config value ") + (append ? "append" : "subtract") +
                             " is not allowed for config key: " + c.name};
    }
    auto it = overrides.find(c.name);
    auto elements = split_list(it != overrides.end() ? it->second : entry->value);
    for (const auto& v : split_list(*c.value)) {
      auto pos = std::find(elements.begin(), elements.end(), v);
      if (append && pos == elements.end()) {
        elements.push_back(v);
      } else if (!append) {
        elements.erase(std::remove(elements.begin(), elements.end(), v), elements.end());
      }
    }
    overrides[c.name] = join_list(elements);
  }
  return b.topics().set_configs(r.resource_name, overrides, validate_only);
}

void handle(broker& b, std::shared_ptr<request> req, responder respond) {
  auto in = decode_or_close<incremental_alter_configs_request>(*req, respond);
  if (!in) {
    return;
  }
  incremental_alter_configs_response out;
  for (const auto& r : in->resources) {
    auto& result = out.responses.emplace_back();
    result.resource_type = r.resource_type;
    result.resource_name = r.resource_name;
    result.error_message.reset();
    if (auto error = alter(b, r, in->validate_only)) {
      result.error_code = protocol::code(error->code);
      result.error_message = std::move(error->message);
    }
  }
  respond.send(*req, out);
}
}  // namespace

const api_handler incremental_alter_configs{incremental_alter_configs_request::api_key, 0, 1,
                                            &handle};
static_assert(1 <= incremental_alter_configs_request::max_version);

}  // namespace brook::broker::handlers
