// AlterConfigs (key 33): replaces the whole set of a topic's config overrides with the
// entries given (an entry with a null value is left out, so its key falls back to the
// server's default), or only checks them (validate_only). Brook's broker configuration is
// static: broker resources are refused.
#include <map>
#include <string>

#include "broker/broker.h"
#include "broker/handlers/handlers.h"
#include "protocol/kafka_error.h"
#include "protocol/messages/alter_configs.h"
#include "protocol/topic_name.h"

namespace brook::broker::handlers {

namespace {
using protocol::alter_configs_request;
using protocol::alter_configs_response;
using protocol::kafka_error;

// Kafka's ConfigResource.Type codes.
constexpr int8_t topic_resource = 2;
constexpr int8_t broker_resource = 4;

protocol::kafka_result<void> alter(broker& b,
                                   const alter_configs_request::alter_configs_resource& r,
                                   bool validate_only) {
  if (r.resource_type == broker_resource) {
    return protocol::kafka_failure{kafka_error::invalid_request,
                                   "Brook's broker configuration is static: change the server's "
                                   "configuration and restart it."};
  }
  if (r.resource_type != topic_resource) {
    return protocol::kafka_failure{kafka_error::invalid_request,
                                   "Unsupported resource type " + std::to_string(r.resource_type) +
                                       ": Brook alters the configs of topics (2) only."};
  }
  std::map<std::string, std::string> overrides;
  for (const auto& c : r.configs) {
    if (c.value) {
      overrides[c.name] = *c.value;
    } else {
      overrides.erase(c.name);
    }
  }
  return b.topic_admin().replace_configs(r.resource_name, overrides, validate_only);
}

void handle(broker& b, std::shared_ptr<request_context> req, responder respond) {
  auto in = decode_or_close<alter_configs_request>(*req, respond);
  if (!in) {
    return;
  }
  alter_configs_response out;
  for (const auto& r : in->resources) {
    auto& result = out.responses.emplace_back();
    result.resource_type = r.resource_type;
    result.resource_name = r.resource_name;
    result.error_message.reset();
    if (auto refused = config_access_refusal(*req, r.resource_type, r.resource_name,
                                             security::acl_operation::alter_configs)) {
      result.error_code = protocol::code(refused->code);
      result.error_message = std::move(refused->message);
    } else if (auto altered = alter(b, r, in->validate_only); !altered) {
      result.error_code = protocol::code(altered.error().code);
      result.error_message = altered.error().message;
    }
  }
  respond.send(req->header, out);
}
}  // namespace

const api_handler alter_configs{alter_configs_request::api_key, 0, 2, &handle};
static_assert(2 <= alter_configs_request::max_version);

}  // namespace brook::broker::handlers
