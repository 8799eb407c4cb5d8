// Produce (key 0): appends each partition's record batches, as received, to its log and
// answers once every partition's append is as durable as its log asks (acks=1 and
// acks=-1 alike; see doc/architecture.md), or at once with no answer for acks=0.
// A transactional producer's request names its transactional id (WRITE on it needed):
// its batches go only to partitions its open transaction holds (INVALID_TXN_STATE
// otherwise), and transactional batches come only with a transactional id.
#include <atomic>

#include "broker/broker.h"
#include "broker/handlers/handlers.h"
#include "broker/txn/txn_coordinator.h"
#include "protocol/kafka_error.h"
#include "protocol/legacy_message_set.h"
#include "protocol/messages/produce.h"
#include "protocol/record_batch.h"

namespace brook::broker::handlers {

namespace {
using protocol::kafka_error;
using protocol::produce_request;
using protocol::produce_response;
using partition_response = produce_response::partition_produce_response;

// What one produce request shares between the appends of its partitions, which may
// complete on the flusher's thread: the last one to finish sends the answer.
struct produce_state {
  std::shared_ptr<request_context> req;
  produce_request in;
  produce_response out;
  responder respond;
  bool acks_none = false;
  std::atomic<int> pending{1};  // one extra, released once every append has started

  produce_state(std::shared_ptr<request_context> r, produce_request i, responder rs)
      : req(std::move(r)), in(std::move(i)), respond(std::move(rs)) {}

  void finish_one() {
    if (pending.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      if (acks_none) {
        respond.send_nothing();
      } else {
        respond.send(req->header, out);
      }
    }
  }
};

void fail(partition_response& p, kafka_error e, std::string message = {}) {
  p.error_code = protocol::code(e);
  p.base_offset = -1;
  if (!message.empty()) {
    p.error_message = std::move(message);
  } else {
    p.error_message = std::string(protocol::kafka_error_name(e));
  }
}

// Whether the batches of one partition may be appended as the request's transaction
// says: a transactional request's batches are its producer's, transactional, to a
// partition of its open transaction; another request's are not transactional.
std::optional<protocol::kafka_failure> transaction_refusal(
    broker& b, const std::optional<std::string>& transactional_id, const std::string& topic,
    int32_t partition, std::span<const std::byte> batches) {
  for (size_t at = 0; at + protocol::batch_layout::header_size <= batches.size();) {
    auto h = protocol::batch_header::decode(batches.subspan(at));
    if (h.batch_length <= 0) {
      break;  // the log refuses it
    }
    if (!transactional_id) {
      if (h.transactional()) {
        return protocol::kafka_failure{kafka_error::invalid_record,
                                       "transactional records without a transactional id"};
      }
    } else {
      if (!h.transactional() || h.producer_id < 0) {
        return protocol::kafka_failure{kafka_error::invalid_record,
                                       "a transactional producer's records must be "
                                       "transactional"};
      }
      auto* txns = b.transactions();
      auto e = txns ? txns->verify(*transactional_id, h.producer_id, h.producer_epoch,
                                   {topic, partition})
                    : kafka_error::coordinator_not_available;
      if (e == kafka_error::producer_fenced) {
        e = kafka_error::invalid_producer_epoch;  // Produce's word for it
      }
      if (e != kafka_error::none) {
        return protocol::kafka_failure{
            e, e == kafka_error::invalid_txn_state
                   ? "partition " + topic + "-" + std::to_string(partition) +
                         " is not in the transaction of '" + *transactional_id +
                         "' (AddPartitionsToTxn first)"
                   : std::string(protocol::kafka_error_name(e))};
      }
    }
    at += h.total_size();
  }
  return std::nullopt;
}

void handle(broker& b, std::shared_ptr<request_context> req, responder respond) {
  auto in = decode_or_close<produce_request>(*req, respond);
  if (!in) {
    return;
  }
  auto state = std::make_shared<produce_state>(req, std::move(*in), std::move(respond));
  state->acks_none = state->in.acks == 0;
  std::optional<std::string> transactional_id;
  if (state->in.transactional_id && !state->in.transactional_id->empty()) {
    transactional_id = *state->in.transactional_id;
  }
  const bool txn_refused =
      transactional_id &&
      !req->authorized(security::acl_operation::write, security::resource_type::transactional_id,
                       *transactional_id);
  const bool acks_valid = state->in.acks == 0 || state->in.acks == 1 || state->in.acks == -1;

  // Lay the whole answer out first: appends fill their own entries from other threads.
  for (const auto& t : state->in.topic_data) {
    auto& topic_out = state->out.responses.emplace_back();
    topic_out.name = t.name;
    for (const auto& p : t.partition_data) {
      auto& part = topic_out.partition_responses.emplace_back();
      part.index = p.index;
      part.base_offset = -1;
      part.log_append_time_ms = -1;
      part.log_start_offset = -1;
      part.error_message.reset();
    }
  }

  for (size_t ti = 0; ti < state->in.topic_data.size(); ++ti) {
    auto& t = state->in.topic_data[ti];
    auto& topic_out = state->out.responses[ti];
    std::shared_ptr<const topic> topic_ptr;
    protocol::kafka_failure topic_error;
    // WRITE on the topic, checked before the topic is looked up (a refused producer does
    // not learn whether it exists); creating it also needs CREATE.
    if (acks_valid && !txn_refused &&
        !req->authorized(security::acl_operation::write, security::resource_type::topic, t.name)) {
      topic_error = {kafka_error::topic_authorization_failed,
                     denied_message(security::resource_type::topic, t.name)};
    } else if (acks_valid && !txn_refused) {
      auto found = b.topic_admin().find_or_create(
          t.name, [&req, &t] { return req->may_create_topic(t.name); });
      if (found) {
        topic_ptr = std::move(*found);
      } else {
        topic_error = found.error();
      }
    }
    for (size_t pi = 0; pi < t.partition_data.size(); ++pi) {
      auto& p = t.partition_data[pi];
      auto& part = topic_out.partition_responses[pi];
      if (!acks_valid) {
        fail(part, kafka_error::invalid_required_acks);
        continue;
      }
      if (txn_refused) {
        fail(part, kafka_error::transactional_id_authorization_failed,
             denied_message(security::resource_type::transactional_id, *transactional_id));
        continue;
      }
      if (!topic_ptr) {
        fail(part, topic_error.code, topic_error.message);
        continue;
      }
      // The request owns its frame, so the batches can be rewritten in place.
      std::span<std::byte> batches;
      if (!p.records.is_null) {
        batches = std::span<std::byte>(const_cast<std::byte*>(p.records.memory.data()),
                                       p.records.memory.size());
      }
      // Message sets of magic 0 and 1 (clients set up for 0.8-0.10 brokers) become one v2
      // batch, as Kafka 3.x up-converts them on append; `converted` holds it until the
      // append call returns, which is all the log needs.
      std::string converted;
      if (auto magic = protocol::magic_of(batches); magic == 0 || magic == 1) {
        std::string why;
        auto v2 = protocol::upconvert_message_set(batches, why);
        if (!v2) {
          fail(part, kafka_error::corrupt_message,
               "message set of magic " + std::to_string(magic) + ": " + why);
          continue;
        }
        converted = std::move(v2).value();
        batches = std::as_writable_bytes(std::span(converted));
      }
      if (auto refusal = transaction_refusal(b, transactional_id, t.name, p.index, batches)) {
        fail(part, refusal->code, refusal->message);
        continue;
      }
      // Checked again under the log's append lock: the transaction may have ended since.
      std::function<bool(const protocol::batch_header&)> admit;
      if (transactional_id && b.transactions()) {
        admit = [txns = b.transactions(), id = *transactional_id, topic = t.name,
                 partition = p.index](const protocol::batch_header& h) {
          return txns->verify(id, h.producer_id, h.producer_epoch, {topic, partition}) ==
                 kafka_error::none;
        };
      }
      state->pending.fetch_add(1, std::memory_order_relaxed);
      b.appender().append(
          *topic_ptr, p.index, batches, state->in.acks,
          [state, &part](protocol::kafka_result<appended> r) {
            if (r) {
              part.error_code = 0;
              part.base_offset = r->base_offset;
              part.log_append_time_ms = r->log_append_time_ms;
              part.log_start_offset = r->log_start_offset;
            } else {
              fail(part, r.error().code, r.error().message);
              for (const auto& e : r.error().record_errors) {
                auto& out = part.record_errors.emplace_back();
                out.batch_index = e.batch_index;
                out.batch_index_error_message = e.message;
              }
            }
            state->finish_one();
          },
          admit);
    }
  }
  state->finish_one();
}
}  // namespace

// v0 is advertised: librdkafka turns compression off against brokers without it.
const api_handler produce{produce_request::api_key, 0, 9, &handle};
static_assert(9 <= produce_request::max_version);

}  // namespace brook::broker::handlers
