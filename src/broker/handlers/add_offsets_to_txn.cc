// AddOffsetsToTxn (key 25): a transactional producer will commit offsets of a group in
// its transaction (TxnOffsetCommit follows). Needs WRITE on the transactional id and READ
// on the group.
#include "protocol/messages/add_offsets_to_txn.h"

#include "broker/broker.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/txn_errors.h"
#include "broker/txn/txn_coordinator.h"

namespace brook::broker::handlers {

namespace {
using protocol::add_offsets_to_txn_request;
using protocol::add_offsets_to_txn_response;
using protocol::kafka_error;

void handle(broker& b, std::shared_ptr<request_context> req, responder respond) {
  auto in = decode_or_close<add_offsets_to_txn_request>(*req, respond);
  if (!in) {
    return;
  }
  add_offsets_to_txn_response out;
  auto* txns = b.transactions();
  if (!req->authorized(security::acl_operation::write, security::resource_type::transactional_id,
                       in->transactional_id)) {
    out.error_code = protocol::code(kafka_error::transactional_id_authorization_failed);
  } else if (!req->authorized(security::acl_operation::read, security::resource_type::group,
                              in->group_id)) {
    out.error_code = protocol::code(kafka_error::group_authorization_failed);
  } else if (txns == nullptr) {
    out.error_code = protocol::code(kafka_error::coordinator_not_available);
  } else {
    auto answer = std::make_shared<responder>(std::move(respond));
    const int16_t version = req->header.api_version;
    txns->add_offsets(in->transactional_id, in->producer_id, in->producer_epoch, in->group_id,
                      [req, answer, version](kafka_error e) {
                        add_offsets_to_txn_response o;
                        o.error_code = protocol::code(fenced_as(e, version, 2));
                        answer->send(req->header, o);
                      });
    return;
  }
  respond.send(req->header, out);
}
}  // namespace

const api_handler add_offsets_to_txn{add_offsets_to_txn_request::api_key, 0, 3, &handle};
static_assert(3 <= add_offsets_to_txn_request::max_version);

}  // namespace brook::broker::handlers
