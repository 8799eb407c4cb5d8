// DescribeTransactions (key 65): the coordinator's view of transactional ids (state,
// timeout, start time, producer id and epoch, partitions). Needs DESCRIBE on each id.
#include "protocol/messages/describe_transactions.h"

#include <map>

#include "broker/broker.h"
#include "broker/handlers/handlers.h"
#include "broker/txn/txn_coordinator.h"

namespace brook::broker::handlers {

namespace {
using protocol::describe_transactions_request;
using protocol::describe_transactions_response;
using protocol::kafka_error;

void handle(broker& b, std::shared_ptr<request_context> req, responder respond) {
  auto in = decode_or_close<describe_transactions_request>(*req, respond);
  if (!in) {
    return;
  }
  describe_transactions_response out;
  auto* txns = b.transactions();
  for (const auto& id : in->transactional_ids) {
    auto& d = out.transaction_states.emplace_back();
    d.transactional_id = id;
    d.transaction_start_time_ms = -1;
    d.producer_id = -1;
    d.producer_epoch = -1;
    if (!req->authorized(security::acl_operation::describe,
                         security::resource_type::transactional_id, id)) {
      d.error_code = protocol::code(kafka_error::transactional_id_authorization_failed);
      continue;
    }
    auto meta = txns ? txns->describe(id) : std::nullopt;
    if (!txns) {
      d.error_code = protocol::code(kafka_error::coordinator_not_available);
      continue;
    }
    if (!meta) {
      d.error_code = protocol::code(kafka_error::transactional_id_not_found);
      continue;
    }
    d.transaction_state = std::string(txn::state_name(meta->state));
    d.transaction_timeout_ms = meta->timeout_ms;
    d.transaction_start_time_ms = meta->start_ms;
    d.producer_id = meta->producer_id;
    d.producer_epoch = meta->producer_epoch;
    std::map<std::string, std::vector<int32_t>> by_topic;
    for (const auto& p : meta->partitions) {
      by_topic[p.topic].push_back(p.partition);
    }
    for (auto& [topic, partitions] : by_topic) {
      auto& t = d.topics.emplace_back();
      t.topic = topic;
      t.partitions = std::move(partitions);
    }
  }
  respond.send(req->header, out);
}
}  // namespace

const api_handler describe_transactions{describe_transactions_request::api_key, 0, 0, &handle};

}  // namespace brook::broker::handlers
