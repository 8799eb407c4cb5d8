// DescribeProducers (key 61): the idempotent and transactional producers each partition
// knows (id, epoch, last sequence and timestamp, the start of the transaction it has open
// there). Needs READ on the topic.
#include "protocol/messages/describe_producers.h"

#include "broker/broker.h"
#include "broker/handlers/handlers.h"
#include "storage/partition_log.h"

namespace brook::broker::handlers {

namespace {
using protocol::describe_producers_request;
using protocol::describe_producers_response;
using protocol::kafka_error;

void handle(broker& b, std::shared_ptr<request_context> req, responder respond) {
  auto in = decode_or_close<describe_producers_request>(*req, respond);
  if (!in) {
    return;
  }
  describe_producers_response out;
  for (const auto& t : in->topics) {
    auto& to = out.topics.emplace_back();
    to.name = t.name;
    const bool allowed =
        req->authorized(security::acl_operation::read, security::resource_type::topic, t.name);
    auto found = allowed ? b.topics().find(t.name) : nullptr;
    for (int32_t index : t.partition_indexes) {
      auto& po = to.partitions.emplace_back();
      po.partition_index = index;
      auto log = found ? found->partition(index) : nullptr;
      if (!allowed) {
        po.error_code = protocol::code(kafka_error::topic_authorization_failed);
        continue;
      }
      if (!log) {
        po.error_code = protocol::code(kafka_error::unknown_topic_or_partition);
        continue;
      }
      for (const auto& p : log->producers()) {
        auto& a = po.active_producers.emplace_back();
        a.producer_id = p.producer_id;
        a.producer_epoch = p.producer_epoch;
        if (!p.batches.empty()) {
          a.last_sequence = p.batches.back().last_sequence;
          a.last_timestamp = p.batches.back().max_timestamp;
        }
        a.coordinator_epoch = 0;
        a.current_txn_start_offset = p.txn_first_offset;
      }
    }
  }
  respond.send(req->header, out);
}
}  // namespace

const api_handler describe_producers{describe_producers_request::api_key, 0, 0, &handle};

}  // namespace brook::broker::handlers
