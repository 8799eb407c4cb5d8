// AddPartitionsToTxn (key 24): the partitions a transactional producer is about to write
// to join its transaction, durably, before it writes (so their markers cannot be
// forgotten). v0-3 are a client's, one transaction; v4+ are a broker's (KIP-890: several
// transactions, and verify_only to check the partitions are in them), which needs
// CLUSTER_ACTION. A partition the producer may not write to, or that does not exist, fails
// the request: the other partitions are answered OPERATION_NOT_ATTEMPTED, as in Kafka.
#include "protocol/messages/add_partitions_to_txn.h"

#include "broker/broker.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/txn_errors.h"
#include "broker/txn/txn_coordinator.h"

namespace brook::broker::handlers {

namespace {
using protocol::add_partitions_to_txn_request;
using protocol::add_partitions_to_txn_response;
using protocol::kafka_error;

struct txn_topics {
  std::string name;
  std::vector<int32_t> partitions;
};
// One error per partition, in the request's order.
using topic_errors = std::vector<std::vector<kafka_error>>;

// Adds (or, with verify_only, checks) one transaction's partitions; `done` gets the
// errors, on any thread.
void process(broker& b, const request_context& req, const std::string& id, int64_t producer_id,
             int16_t epoch, bool verify_only, const std::vector<txn_topics>& topics,
             std::function<void(topic_errors)> done) {
  // The same error for every partition (also from the coordinator's thread, later).
  std::vector<size_t> sizes;
  for (const auto& t : topics) {
    sizes.push_back(t.partitions.size());
  }
  auto all = [sizes](kafka_error e) {
    topic_errors out;
    for (size_t n : sizes) {
      out.emplace_back(n, e);
    }
    return out;
  };
  auto* txns = b.transactions();
  if (!req.authorized(security::acl_operation::write, security::resource_type::transactional_id,
                      id)) {
    done(all(kafka_error::transactional_id_authorization_failed));
    return;
  }
  if (txns == nullptr) {
    done(all(kafka_error::coordinator_not_available));
    return;
  }
  topic_errors errors = all(kafka_error::none);
  bool refused = false;
  std::vector<txn::txn_partition> partitions;
  for (size_t i = 0; i < topics.size(); ++i) {
    const auto& t = topics[i];
    bool allowed =
        req.authorized(security::acl_operation::write, security::resource_type::topic, t.name);
    auto found = allowed ? b.topics().find(t.name) : nullptr;
    for (size_t j = 0; j < t.partitions.size(); ++j) {
      if (!allowed) {
        errors[i][j] = kafka_error::topic_authorization_failed;
        refused = true;
      } else if (!found || !found->partition(t.partitions[j])) {
        errors[i][j] = kafka_error::unknown_topic_or_partition;
        refused = true;
      } else if (verify_only) {
        errors[i][j] = txns->verify(id, producer_id, epoch, {t.name, t.partitions[j]});
      } else {
        partitions.push_back({t.name, t.partitions[j]});
      }
    }
  }
  if (refused && !verify_only) {
    for (auto& t : errors) {
      for (auto& e : t) {
        if (e == kafka_error::none) {
          e = kafka_error::operation_not_attempted;
        }
      }
    }
  }
  if (verify_only || refused) {
    done(std::move(errors));
    return;
  }
  txns->add_partitions(id, producer_id, epoch, partitions,
                       [all, done = std::move(done)](kafka_error e) { done(all(e)); });
}

template <typename TopicResult>
void fill(std::vector<TopicResult>& out, const std::vector<txn_topics>& topics,
          const topic_errors& errors, int16_t version) {
  for (size_t i = 0; i < topics.size(); ++i) {
    auto& t = out.emplace_back();
    t.name = topics[i].name;
    for (size_t j = 0; j < topics[i].partitions.size(); ++j) {
      auto& p = t.results_by_partition.emplace_back();
      p.partition_index = topics[i].partitions[j];
      p.error_code = protocol::code(fenced_as(errors[i][j], version, 2));
    }
  }
}

template <typename Topics>
std::vector<txn_topics> topics_of(const Topics& in) {
  std::vector<txn_topics> out;
  for (const auto& t : in) {
    out.push_back({t.name, t.partitions});
  }
  return out;
}

void handle(broker& b, std::shared_ptr<request_context> req, responder respond) {
  auto in = decode_or_close<add_partitions_to_txn_request>(*req, respond);
  if (!in) {
    return;
  }
  const int16_t version = req->header.api_version;
  auto answer = std::make_shared<responder>(std::move(respond));
  if (version <= 3) {
    auto topics = topics_of(in->v3_and_below_topics);
    process(b, *req, in->v3_and_below_transactional_id, in->v3_and_below_producer_id,
            in->v3_and_below_producer_epoch, false, topics,
            [req, answer, topics, version](const topic_errors& errors) {
              add_partitions_to_txn_response out;
              fill(out.results_by_topic_v3_and_below, topics, errors, version);
              answer->send(req->header, out);
            });
    return;
  }
  add_partitions_to_txn_response out;
  if (!req->authorized_on_cluster(security::acl_operation::cluster_action)) {
    out.error_code = protocol::code(kafka_error::cluster_authorization_failed);
    answer->send(req->header, out);
    return;
  }
  // Each transaction is answered in its slot; the last to finish sends the answer.
  struct batch {
    add_partitions_to_txn_response out;
    std::atomic<size_t> pending{1};
  };
  auto state = std::make_shared<batch>();
  auto finish_one = [state, req, answer] {
    if (state->pending.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      answer->send(req->header, state->out);
    }
  };
  state->out.results_by_transaction.resize(in->transactions.size());
  for (size_t i = 0; i < in->transactions.size(); ++i) {
    const auto& t = in->transactions[i];
    auto topics = topics_of(t.topics);
    state->pending.fetch_add(1, std::memory_order_relaxed);
    state->out.results_by_transaction[i].transactional_id = t.transactional_id;
    process(b, *req, t.transactional_id, t.producer_id, t.producer_epoch, t.verify_only, topics,
            [state, i, topics, version, finish_one](const topic_errors& errors) {
              fill(state->out.results_by_transaction[i].topic_results, topics, errors, version);
              finish_one();
            });
  }
  finish_one();
}
}  // namespace

const api_handler add_partitions_to_txn{add_partitions_to_txn_request::api_key, 0, 4, &handle};
static_assert(4 <= add_partitions_to_txn_request::max_version);

}  // namespace brook::broker::handlers
