// DescribeConfigs (key 32): the configuration of topics (their overrides on top of the
// server's defaults) and of this broker (the server's defaults for the same keys, read
// only: Brook's broker configuration is static). Other resource types are refused.
#include <algorithm>
#include <string>

#include "broker/broker.h"
#include "broker/handlers/handlers.h"
#include "protocol/kafka_error.h"
#include "protocol/messages/describe_configs.h"
#include "protocol/topic_name.h"
#include "storage/topic_config.h"

namespace brook::broker::handlers {

namespace {
using protocol::describe_configs_request;
using protocol::describe_configs_response;
using protocol::kafka_error;
using resource_result = describe_configs_response::describe_configs_result;

// Kafka's ConfigResource.Type codes.
constexpr int8_t topic_resource = 2;
constexpr int8_t broker_resource = 4;

struct options {
  bool synonyms = false;
  bool documentation = false;
};

bool wanted(const describe_configs_request::describe_configs_resource& r, const std::string& key) {
  // Null asks for every key; so does an empty list, as in Kafka.
  if (!r.configuration_keys || r.configuration_keys->empty()) {
    return true;
  }
  const auto& keys = *r.configuration_keys;
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

// `entries` into `out`. `defaults` (same order, no overrides) gives the synonym an override
// hides.
void add_entries(const describe_configs_request::describe_configs_resource& r,
                 const std::vector<storage::topic_config_entry>& entries,
                 const std::vector<storage::topic_config_entry>& defaults, bool read_only,
                 const options& opt, resource_result& out) {
  for (size_t i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i];
    if (!wanted(r, e.name)) {
      continue;
    }
    auto& c = out.configs.emplace_back();
    c.name = e.name;
    c.value = e.value;
    c.read_only = read_only || e.read_only;
    c.is_default = e.is_default;
    c.config_source = static_cast<int8_t>(e.source);
    c.is_sensitive = e.sensitive;
    if (e.sensitive) {
      c.value.reset();
    }
    c.config_type = static_cast<int8_t>(e.type);
    if (opt.documentation) {
      c.documentation = e.documentation;
    } else {
      c.documentation.reset();
    }
    if (opt.synonyms) {
      // The value in effect first, then what it overrides (Kafka's order).
      c.synonyms.push_back({e.name, c.value, static_cast<int8_t>(e.source)});
      if (i < defaults.size() && defaults[i].source != e.source) {
        c.synonyms.push_back(
            {defaults[i].name, defaults[i].value, static_cast<int8_t>(defaults[i].source)});
      }
    }
  }
}

void fail(resource_result& out, protocol::kafka_failure e) {
  out.error_code = protocol::code(e.code);
  out.error_message = std::move(e.message);
  out.configs.clear();
}

void describe(broker& b, const describe_configs_request::describe_configs_resource& r,
              const options& opt, resource_result& out) {
  const auto defaults = storage::describe_topic_configs(b.topics().server_defaults(), {});
  switch (r.resource_type) {
    case topic_resource: {
      if (auto valid = protocol::validate_topic_name(r.resource_name); !valid) {
        fail(out, valid.error());
        return;
      }
      auto t = b.topics().find(r.resource_name);
      if (!t) {
        fail(out, {kafka_error::unknown_topic_or_partition,
                   "The topic '" + r.resource_name + "' does not exist."});
        return;
      }
      auto entries = storage::describe_topic_configs(b.topics().server_defaults(), t->overrides);
      add_entries(r, entries, defaults, false, opt, out);
      return;
    }
    case broker_resource: {
      if (!r.resource_name.empty() && r.resource_name != std::to_string(b.node_id())) {
        fail(out, {kafka_error::invalid_request,
                   "Unexpected broker id, expected " + std::to_string(b.node_id()) +
                       " or empty string, but received " + r.resource_name});
        return;
      }
      add_entries(r, defaults, defaults, true, opt, out);
      return;
    }
    default:
      fail(out, {kafka_error::invalid_request,
                 "Unsupported resource type " + std::to_string(r.resource_type) +
                     ": Brook describes topics (2) and its broker (4)."});
      return;
  }
}

void handle(broker& b, std::shared_ptr<request_context> req, responder respond) {
  auto in = decode_or_close<describe_configs_request>(*req, respond);
  if (!in) {
    return;
  }
  const int16_t version = req->header.api_version;
  options opt;
  opt.synonyms = version >= 1 && in->include_synonyms;
  opt.documentation = version >= 3 && in->include_documentation;
  describe_configs_response out;
  for (const auto& r : in->resources) {
    auto& result = out.results.emplace_back();
    result.resource_type = r.resource_type;
    result.resource_name = r.resource_name;
    result.error_message.reset();
    if (auto refused = config_access_refusal(*req, r.resource_type, r.resource_name,
                                             security::acl_operation::describe_configs)) {
      result.error_code = protocol::code(refused->code);
      result.error_message = std::move(refused->message);
      continue;
    }
    describe(b, r, opt, result);
  }
  respond.send(req->header, out);
}
}  // namespace

const api_handler describe_configs{describe_configs_request::api_key, 0, 4, &handle};
static_assert(4 <= describe_configs_request::max_version);

}  // namespace brook::broker::handlers
