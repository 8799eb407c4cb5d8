// FindCoordinator (key 10): every group (and transactional id) is coordinated by this one
// node. One key up to v3, a batch of keys from v4 (KIP-699).
#include "protocol/messages/find_coordinator.h"
#include "broker/broker.h"
#include "broker/handlers/handlers.h"
#include "protocol/kafka_error.h"

namespace brook::broker::handlers {

namespace {
using protocol::find_coordinator_request;
using protocol::find_coordinator_response;
using protocol::kafka_error;

constexpr int8_t key_type_group = 0;
constexpr int8_t key_type_transaction = 1;

void handle(broker& b, std::shared_ptr<request_context> req, responder respond) {
  auto in = decode_or_close<find_coordinator_request>(*req, respond);
  if (!in) {
    return;
  }
  bool valid_type = in->key_type == key_type_group || in->key_type == key_type_transaction;
  find_coordinator_response out;
  // Finding a group's coordinator needs DESCRIBE on the group, a transaction's on its
  // transactional id, as in Kafka.
  auto fill = [&](auto& c, const std::string& key) {
    kafka_error error = kafka_error::none;
    std::string message;
    if (!valid_type) {
      error = kafka_error::invalid_request;
      message = "key type " + std::to_string(in->key_type) + " is not 0 (group) or 1 (transaction)";
    } else {
      auto type = in->key_type == key_type_group ? security::resource_type::group
                                                 : security::resource_type::transactional_id;
      if (!req->authorized(security::acl_operation::describe, type, key)) {
        error = type == security::resource_type::group
                    ? kafka_error::group_authorization_failed
                    : kafka_error::transactional_id_authorization_failed;
        message = denied_message(type, key);
      }
    }
    c.error_code = protocol::code(error);
    if (error == kafka_error::none) {
      c.node_id = b.node_id();
      c.host = b.advertised_endpoint(req->listener).host;
      c.port = b.advertised_endpoint(req->listener).port;
      c.error_message.reset();
    } else {
      c.node_id = -1;
      c.port = -1;
      c.error_message = std::move(message);
    }
  };
  if (req->header.api_version >= 4) {
    for (const auto& key : in->coordinator_keys) {
      auto& c = out.coordinators.emplace_back();
      c.key = key;
      fill(c, key);
    }
  } else {
    fill(out, in->key);
  }
  respond.send(req->header, out);
}
}  // namespace

const api_handler find_coordinator{find_coordinator_request::api_key, 0, 4, &handle};
static_assert(4 <= find_coordinator_request::max_version);

}  // namespace brook::broker::handlers
