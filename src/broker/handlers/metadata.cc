// Metadata (key 3): the broker, the cluster id and the topics asked for (all of them when
// the list is null, or empty in v0), creating missing ones when auto-creation allows.
#include "protocol/messages/metadata.h"
#include "broker/broker.h"
#include "broker/handlers/handlers.h"
#include "protocol/kafka_error.h"

namespace brook::broker::handlers {

namespace {
using protocol::kafka_error;
using protocol::metadata_request;
using protocol::metadata_response;

constexpr int32_t no_authorized_operations = INT32_MIN;

void describe(broker& b, const topic& t, metadata_response::metadata_response_topic& out) {
  out.error_code = 0;
  out.name = t.name;
  out.topic_id = t.id;
  out.is_internal = false;
  out.topic_authorized_operations = no_authorized_operations;
  out.partitions.clear();
  for (int32_t p = 0; p < t.partition_count(); ++p) {
    auto& part = out.partitions.emplace_back();
    part.error_code = 0;
    part.partition_index = p;
    part.leader_id = b.node_id();
    part.leader_epoch = 0;
    part.replica_nodes = {b.node_id()};
    part.isr_nodes = {b.node_id()};
    part.offline_replicas = {};
  }
}

void handle(broker& b, std::shared_ptr<request_context> req, responder respond) {
  auto in = decode_or_close<metadata_request>(*req, respond);
  if (!in) {
    return;
  }
  int16_t version = req->header.api_version;
  metadata_response out;
  auto& broker_entry = out.brokers.emplace_back();
  broker_entry.node_id = b.node_id();
  broker_entry.host = b.advertised_endpoint(req->listener).host;
  broker_entry.port = b.advertised_endpoint(req->listener).port;
  broker_entry.rack.reset();
  out.cluster_id = b.cluster_id();
  out.controller_id = b.node_id();
  out.cluster_authorized_operations =
      in->include_cluster_authorized_operations
          ? req->authorized_operations(security::resource_type::cluster,
                                       security::cluster_resource_name)
          : no_authorized_operations;
  // Topics the principal may not DESCRIBE are left out of "all topics" and refused by name,
  // as in Kafka; auto-creation also needs CREATE (refused: TOPIC_AUTHORIZATION_FAILED).
  auto may_describe = [&](const std::string& name) {
    return req->authorized(security::acl_operation::describe, security::resource_type::topic, name);
  };
  auto sees = [&](const std::string& name) {
    return req->permitted(security::acl_operation::describe, security::resource_type::topic, name);
  };
  auto describe_allowed = [&](const topic& t, metadata_response::metadata_response_topic& entry) {
    describe(b, t, entry);
    if (in->include_topic_authorized_operations) {
      entry.topic_authorized_operations =
          req->authorized_operations(security::resource_type::topic, t.name);
    }
  };

  bool all = !in->topics.has_value() || (version == 0 && in->topics->empty());
  if (all) {
    for (const auto& t : b.topics().list()) {
      if (sees(t->name)) {
        describe_allowed(*t, out.topics.emplace_back());
      }
    }
  } else {
    for (const auto& wanted : *in->topics) {
      auto& entry = out.topics.emplace_back();
      entry.topic_authorized_operations = no_authorized_operations;
      std::shared_ptr<const topic> t;
      if (wanted.name) {
        entry.name = *wanted.name;
        if (!may_describe(*wanted.name)) {
          entry.error_code = protocol::code(kafka_error::topic_authorization_failed);
          continue;
        }
        // Asked only for a missing topic the server would create.
        bool creation_refused = false;
        auto found = b.topic_admin().find_or_create(*wanted.name, [&] {
          creation_refused = in->allow_auto_topic_creation && !req->may_create_topic(*wanted.name);
          return in->allow_auto_topic_creation && !creation_refused;
        });
        if (!found) {
          auto code = found.error().code == kafka_error::invalid_partitions
                          ? kafka_error::unknown_topic_or_partition
                          : found.error().code;
          entry.error_code =
              protocol::code(creation_refused ? kafka_error::topic_authorization_failed : code);
          continue;
        }
        t = *found;
      } else {
        t = b.topics().find(wanted.topic_id);
        if (t && !may_describe(t->name)) {
          entry.name.reset();
          entry.topic_id = wanted.topic_id;
          entry.error_code = protocol::code(kafka_error::topic_authorization_failed);
          continue;
        }
        if (!t) {
          entry.name.reset();
          entry.topic_id = wanted.topic_id;
          entry.error_code = protocol::code(kafka_error::unknown_topic_id);
          continue;
        }
      }
      describe_allowed(*t, entry);
    }
  }
  respond.send(req->header, out);
}
}  // namespace

const api_handler metadata{metadata_request::api_key, 0, 12, &handle};
static_assert(12 <= metadata_request::max_version);

}  // namespace brook::broker::handlers
