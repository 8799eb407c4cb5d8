// EndTxn (key 26): commit or abort a producer's transaction, answered once its markers
// are written (txn_coordinator.h). Needs WRITE on the transactional id. v5 (the epoch
// bumped at every end, KIP-890) is not served.
#include "protocol/messages/end_txn.h"

#include "broker/broker.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/txn_errors.h"
#include "broker/txn/txn_coordinator.h"

namespace brook::broker::handlers {

namespace {
using protocol::end_txn_request;
using protocol::end_txn_response;
using protocol::kafka_error;

void handle(broker& b, std::shared_ptr<request_context> req, responder respond) {
  auto in = decode_or_close<end_txn_request>(*req, respond);
  if (!in) {
    return;
  }
  end_txn_response out;
  auto* txns = b.transactions();
  if (!req->authorized(security::acl_operation::write, security::resource_type::transactional_id,
                       in->transactional_id)) {
    out.error_code = protocol::code(kafka_error::transactional_id_authorization_failed);
  } else if (txns == nullptr) {
    out.error_code = protocol::code(kafka_error::coordinator_not_available);
  } else {
    auto answer = std::make_shared<responder>(std::move(respond));
    const int16_t version = req->header.api_version;
    txns->end(in->transactional_id, in->producer_id, in->producer_epoch, in->committed,
              [req, answer, version](kafka_error e) {
                end_txn_response o;
                o.error_code = protocol::code(fenced_as(e, version, 2));
                answer->send(req->header, o);
              });
    return;
  }
  respond.send(req->header, out);
}
}  // namespace

const api_handler end_txn{end_txn_request::api_key, 0, 4, &handle};
static_assert(4 <= end_txn_request::max_version);

}  // namespace brook::broker::handlers
