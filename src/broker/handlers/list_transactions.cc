// ListTransactions (key 66): the transactional ids the caller may DESCRIBE, filtered by
// state, producer id and (v1) by having been open longer than a duration. v2's id pattern
// is not served.
#include "protocol/messages/list_transactions.h"

#include <algorithm>
#include <chrono>

#include "broker/broker.h"
#include "broker/handlers/handlers.h"
#include "broker/txn/txn_coordinator.h"

namespace brook::broker::handlers {

namespace {
using protocol::kafka_error;
using protocol::list_transactions_request;
using protocol::list_transactions_response;

void handle(broker& b, std::shared_ptr<request_context> req, responder respond) {
  auto in = decode_or_close<list_transactions_request>(*req, respond);
  if (!in) {
    return;
  }
  list_transactions_response out;
  auto* txns = b.transactions();
  if (txns == nullptr) {
    out.error_code = protocol::code(kafka_error::coordinator_not_available);
    respond.send(req->header, out);
    return;
  }
  std::vector<txn::txn_state> states;
  for (const auto& name : in->state_filters) {
    if (auto s = txn::state_from_name(name)) {
      states.push_back(*s);
    } else {
      out.unknown_state_filters.push_back(name);
    }
  }
  // Only unknown states asked for: nothing can match.
  const bool none_can_match = !in->state_filters.empty() && states.empty();
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  for (const auto& [id, meta] : none_can_match ? decltype(txns->list()){} : txns->list()) {
    if (!states.empty() && std::find(states.begin(), states.end(), meta.state) == states.end()) {
      continue;
    }
    const auto& pids = in->producer_id_filters;
    if (!pids.empty() && std::find(pids.begin(), pids.end(), meta.producer_id) == pids.end()) {
      continue;
    }
    if (in->duration_filter >= 0 &&
        (meta.start_ms < 0 || now - meta.start_ms < in->duration_filter)) {
      continue;
    }
    if (!req->authorized(security::acl_operation::describe,
                         security::resource_type::transactional_id, id)) {
      continue;
    }
    auto& t = out.transaction_states.emplace_back();
    t.transactional_id = id;
    t.producer_id = meta.producer_id;
    t.transaction_state = std::string(txn::state_name(meta.state));
  }
  respond.send(req->header, out);
}
}  // namespace

const api_handler list_transactions{list_transactions_request::api_key, 0, 1, &handle};
static_assert(1 <= list_transactions_request::max_version);

}  // namespace brook::broker::handlers
