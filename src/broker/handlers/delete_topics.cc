// DeleteTopics (key 20): deletes topics with their partition logs, by name (topic_names,
// v0-5; topics[].name, v6) or by topic id (topics[].topic_id, v6).
#include <map>

#include "broker/broker.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handlers.h"
#include "protocol/kafka_error.h"
#include "protocol/messages/delete_topics.h"

namespace brook::broker::handlers {

namespace {
using protocol::delete_topics_request;
using protocol::delete_topics_response;
using protocol::kafka_error;
using topic_result = delete_topics_response::deletable_topic_result;

void fail(topic_result& out, protocol::kafka_failure e) {
  out.error_code = protocol::code(e.code);
  out.error_message = std::move(e.message);
}

void delete_by_name(broker& b, const request_context& req, const std::string& name,
                    topic_result& out) {
  out.name = name;
  // DELETE on the topic, checked before it is looked up.
  if (!req.authorized(security::acl_operation::remove, security::resource_type::topic, name)) {
    fail(out, {kafka_error::topic_authorization_failed,
               denied_message(security::resource_type::topic, name)});
    return;
  }
  auto removed = b.topic_admin().remove(name);
  if (!removed) {
    if (auto t = b.topics().find(name)) {
      out.topic_id = t->id;
    }
    fail(out, removed.error());
    return;
  }
  out.topic_id = *removed;
}

void handle(broker& b, std::shared_ptr<request_context> req, responder respond) {
  auto in = decode_or_close<delete_topics_request>(*req, respond);
  if (!in) {
    return;
  }
  // Up to v5 the names come as a list of strings; from v6 as (name or id) entries.
  if (req->header.api_version < 6) {
    in->topics.clear();
    for (auto& name : in->topic_names) {
      in->topics.push_back({std::move(name), {}});
    }
  }
  // A topic named (or identified) more than once is refused, with one answer, as Kafka's
  // KRaft controller does: clients index the answers by name.
  auto key_of = [](const delete_topics_request::delete_topic_state& t) {
    return t.name ? "name:" + *t.name : "id:" + t.topic_id.to_base64();
  };
  std::map<std::string, int> occurrences;
  for (const auto& t : in->topics) {
    ++occurrences[key_of(t)];
  }
  delete_topics_response out;
  for (const auto& t : in->topics) {
    int& seen = occurrences[key_of(t)];
    if (seen == 0) {
      continue;  // a duplicate already answered
    }
    auto& result = out.responses.emplace_back();
    result.name = t.name;
    result.topic_id = t.topic_id;
    if (seen > 1) {
      seen = 0;
      fail(result, {kafka_error::invalid_request,
                    t.name ? "Duplicate topic name." : "Duplicate topic id."});
    } else if (t.name && !t.topic_id.is_zero()) {
      fail(result,
           {kafka_error::invalid_request, "You may not specify both topic name and topic id."});
    } else if (t.name) {
      delete_by_name(b, *req, *t.name, result);
    } else if (auto topic = t.topic_id.is_zero() ? nullptr : b.topics().find(t.topic_id)) {
      // By id, the name is told only to who may DESCRIBE the topic (as Kafka).
      if (!req->authorized(security::acl_operation::describe, security::resource_type::topic,
                           topic->name)) {
        fail(result, {kafka_error::topic_authorization_failed, "Topic authorization failed."});
      } else {
        delete_by_name(b, *req, topic->name, result);
      }
    } else {
      fail(result, {kafka_error::unknown_topic_id, "This server does not host this topic ID."});
    }
  }
  respond.send(req->header, out);
}
}  // namespace

const api_handler delete_topics{delete_topics_request::api_key, 0, 6, &handle};
static_assert(6 <= delete_topics_request::max_version);

}  // namespace brook::broker::handlers
