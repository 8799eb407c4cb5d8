// CreateTopics (key 19): creates each topic with its partition count and config overrides,
// or (validate_only, v1+) only checks that it could. Brook is one node: the replication
// factor must be 1 or -1 (the default, which is 1) and manual replica assignments are
// refused (the rules are topic_service's). From v5 a created topic's answer carries its partition
// count, replication factor and full configuration; from v7 its topic id. Creating needs
// CREATE on the cluster or the topic; the configuration is answered with DESCRIBE_CONFIGS.
#include <map>

#include "broker/broker.h"
#include "broker/handlers/handlers.h"
#include "protocol/kafka_error.h"
#include "protocol/messages/create_topics.h"
#include "storage/topic_config.h"

namespace brook::broker::handlers {

namespace {
using protocol::create_topics_request;
using protocol::create_topics_response;
using protocol::kafka_error;
using topic_result = create_topics_response::creatable_topic_result;

void fail(topic_result& out, protocol::kafka_failure e) {
  out.error_code = protocol::code(e.code);
  out.error_message = std::move(e.message);
  out.num_partitions = -1;
  out.replication_factor = -1;
  out.configs = std::vector<create_topics_response::creatable_topic_configs>{};
}

topic_request to_request(const create_topics_request::creatable_topic& t, bool validate_only) {
  topic_request r;
  r.name = t.name;
  r.partitions = t.num_partitions;
  r.replication_factor = t.replication_factor;
  r.manual_assignments = !t.assignments.empty();
  for (const auto& c : t.configs) {
    r.configs.emplace_back(c.name, c.value);
  }
  r.validate_only = validate_only;
  return r;
}

void describe_configs(broker& b, const std::map<std::string, std::string>& overrides,
                      topic_result& out) {
  auto& configs = out.configs.emplace();
  for (auto& e : storage::describe_topic_configs(b.topics().server_defaults(), overrides)) {
    auto& c = configs.emplace_back();
    c.name = std::move(e.name);
    c.value = std::move(e.value);
    c.read_only = e.read_only;
    c.config_source = static_cast<int8_t>(e.source);
    c.is_sensitive = e.sensitive;
  }
}

void handle(broker& b, std::shared_ptr<request_context> req, responder respond) {
  auto in = decode_or_close<create_topics_request>(*req, respond);
  if (!in) {
    return;
  }
  const bool validate_only = req->header.api_version >= 1 && in->validate_only;
  // A name given more than once is refused, with one answer (as Kafka's KRaft controller:
  // clients index the answers by name).
  std::map<std::string, int> occurrences;
  for (const auto& t : in->topics) {
    ++occurrences[t.name];
  }
  create_topics_response out;
  for (const auto& t : in->topics) {
    int& seen = occurrences[t.name];
    if (seen == 0) {
      continue;  // a duplicate already answered
    }
    auto& result = out.topics.emplace_back();
    result.name = t.name;
    result.error_message.reset();
    if (seen > 1) {
      seen = 0;
      fail(result, {kafka_error::invalid_request, "Found multiple entries for this topic."});
      continue;
    }
    if (!req->may_create_topic(t.name)) {
      fail(result, {kafka_error::topic_authorization_failed,
                    denied_message(security::resource_type::topic, t.name)});
      continue;
    }
    auto created = b.topic_admin().create(to_request(t, validate_only));
    if (!created) {
      fail(result, created.error());
      continue;
    }
    if (!created->id.is_zero()) {
      result.topic_id = created->id;
    }
    // The partitions, replication factor and configuration are shown to those who may
    // DESCRIBE_CONFIGS the topic (as Kafka: -1 and no configs otherwise).
    if (req->authorized(security::acl_operation::describe_configs, security::resource_type::topic,
                        t.name)) {
      result.num_partitions = created->partitions;
      result.replication_factor = 1;
      describe_configs(b, created->overrides, result);
    } else {
      result.num_partitions = -1;
      result.replication_factor = -1;
      result.topic_config_error_code = protocol::code(kafka_error::topic_authorization_failed);
      result.configs.reset();
    }
  }
  respond.send(req->header, out);
}
}  // namespace

const api_handler create_topics{create_topics_request::api_key, 0, 7, &handle};
static_assert(7 <= create_topics_request::max_version);

}  // namespace brook::broker::handlers
