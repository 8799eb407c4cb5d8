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
#include "protocol/topic_name.h"
#include "storage/topic_config.h"

namespace brook::broker::handlers {

namespace {
using protocol::incremental_alter_configs_request;
using protocol::incremental_alter_configs_response;
using protocol::kafka_error;
using resource = incremental_alter_configs_request::alter_configs_resource;

// Kafka's ConfigResource.Type codes.
constexpr int8_t topic_resource = 2;
constexpr int8_t broker_resource = 4;

protocol::kafka_result<void> alter(broker& b, const resource& r, bool validate_only) {
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
  std::vector<config_alteration> alterations;
  for (const auto& c : r.configs) {
    alterations.push_back({c.name, static_cast<config_op>(c.config_operation), c.value});
  }
  return b.topic_admin().alter_configs(r.resource_name, alterations, validate_only);
}

void handle(broker& b, std::shared_ptr<request_context> req, responder respond) {
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

const api_handler incremental_alter_configs{incremental_alter_configs_request::api_key, 0, 1,
                                            &handle};
static_assert(1 <= incremental_alter_configs_request::max_version);

}  // namespace brook::broker::handlers
