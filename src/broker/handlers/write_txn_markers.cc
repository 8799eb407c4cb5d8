// WriteTxnMarkers (key 27): in Kafka, a transaction coordinator asks each partition's
// leader to append a transaction's COMMIT or ABORT markers. Brook's coordinator appends
// them itself; this API applies the same markers locally for a caller with CLUSTER_ACTION
// on the cluster (a client without it, as any client of a Kafka cluster with an
// authorizer, gets CLUSTER_AUTHORIZATION_FAILED for every partition).
#include "protocol/messages/write_txn_markers.h"

#include <atomic>

#include "broker/broker.h"
#include "broker/error_mapping.h"
#include "broker/handlers/handlers.h"
#include "storage/partition_log.h"

namespace brook::broker::handlers {

namespace {
using protocol::kafka_error;
using protocol::write_txn_markers_request;
using protocol::write_txn_markers_response;

void handle(broker& b, std::shared_ptr<request_context> req, responder respond) {
  auto in = decode_or_close<write_txn_markers_request>(*req, respond);
  if (!in) {
    return;
  }
  struct state {
    write_txn_markers_response out;
    std::atomic<size_t> pending{1};
  };
  auto s = std::make_shared<state>();
  auto answer = std::make_shared<responder>(std::move(respond));
  auto finish_one = [s, req, answer] {
    if (s->pending.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      answer->send(req->header, s->out);
    }
  };
  const bool allowed = req->authorized_on_cluster(security::acl_operation::cluster_action);
  // Every slot is laid out before any append starts: appends fill theirs from other threads.
  for (const auto& m : in->markers) {
    auto& mo = s->out.markers.emplace_back();
    mo.producer_id = m.producer_id;
    for (const auto& t : m.topics) {
      auto& to = mo.topics.emplace_back();
      to.name = t.name;
      for (int32_t p : t.partition_indexes) {
        to.partitions.emplace_back().partition_index = p;
      }
    }
  }
  for (size_t i = 0; i < in->markers.size(); ++i) {
    const auto& m = in->markers[i];
    auto type =
        m.transaction_result ? protocol::control_type::commit : protocol::control_type::abort;
    for (size_t j = 0; j < m.topics.size(); ++j) {
      auto found = allowed ? b.topics().find(m.topics[j].name) : nullptr;
      for (size_t k = 0; k < m.topics[j].partition_indexes.size(); ++k) {
        auto& slot = s->out.markers[i].topics[j].partitions[k];
        auto log = found ? found->partition(m.topics[j].partition_indexes[k]) : nullptr;
        if (!allowed) {
          slot.error_code = protocol::code(kafka_error::cluster_authorization_failed);
        } else if (!log) {
          slot.error_code = protocol::code(kafka_error::unknown_topic_or_partition);
        } else {
          s->pending.fetch_add(1, std::memory_order_relaxed);
          log->append_marker(
              m.producer_id, m.producer_epoch, type,
              [&slot, finish_one](result<storage::append_result> r) {
                slot.error_code = protocol::code(r ? kafka_error::none : to_kafka_error(r.error()));
                finish_one();
              });
        }
      }
    }
  }
  finish_one();
}
}  // namespace

const api_handler write_txn_markers{write_txn_markers_request::api_key, 0, 1, &handle};
static_assert(1 <= write_txn_markers_request::max_version);

}  // namespace brook::broker::handlers
