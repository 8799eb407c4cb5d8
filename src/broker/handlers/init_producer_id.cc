// InitProducerId (key 22): a producer id and epoch for an idempotent producer or, with a
// transactional id, from the transaction coordinator (which fences the id's previous
// holder). From v3 a producer may ask to bump the epoch of the id it has (KIP-360); it
// gets the next epoch, or a new id once the epoch would overflow.
#include "protocol/messages/init_producer_id.h"
#include "base/log.h"
#include "broker/broker.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/txn_errors.h"
#include "broker/txn/txn_coordinator.h"
#include "protocol/kafka_error.h"

namespace brook::broker::handlers {

namespace {
using protocol::init_producer_id_request;
using protocol::init_producer_id_response;
using protocol::kafka_error;

void handle(broker& b, std::shared_ptr<request_context> req, responder respond) {
  auto in = decode_or_close<init_producer_id_request>(*req, respond);
  if (!in) {
    return;
  }
  init_producer_id_response out;
  out.producer_id = -1;
  out.producer_epoch = -1;
  if (in->transactional_id && !in->transactional_id->empty()) {
    // A transactional producer needs WRITE on its transactional id.
    auto* txns = b.transactions();
    if (!req->authorized(security::acl_operation::write, security::resource_type::transactional_id,
                         *in->transactional_id)) {
      out.error_code = protocol::code(kafka_error::transactional_id_authorization_failed);
    } else if (txns == nullptr) {
      out.error_code = protocol::code(kafka_error::coordinator_not_available);
    } else {
      auto answer = std::make_shared<responder>(std::move(respond));
      const int16_t version = req->header.api_version;
      txns->init_producer_id(*in->transactional_id, in->transaction_timeout_ms, in->producer_id,
                             in->producer_epoch, [req, answer, version](txn::init_result r) {
                               init_producer_id_response o;
                               o.error_code = protocol::code(fenced_as(r.error, version, 4));
                               o.producer_id = r.producer_id;
                               o.producer_epoch = r.producer_epoch;
                               answer->send(req->header, o);
                             });
      return;
    }
    respond.send(req->header, out);
    return;
  }
  // An idempotent producer needs IDEMPOTENT_WRITE on the cluster or, since Kafka 3.0
  // (KIP-679), WRITE on some topic.
  if (!req->permitted(security::acl_operation::idempotent_write, security::resource_type::cluster,
                      security::cluster_resource_name) &&
      !req->authorized_on_any(security::acl_operation::write, security::resource_type::topic)) {
    out.error_code = protocol::code(kafka_error::cluster_authorization_failed);
    respond.send(req->header, out);
    return;
  }
  if (in->producer_id >= 0 && in->producer_epoch >= 0 && in->producer_epoch < INT16_MAX - 1) {
    out.producer_id = in->producer_id;
    out.producer_epoch = static_cast<int16_t>(in->producer_epoch + 1);
    respond.send(req->header, out);
    return;
  }
  auto pid = b.allocate_producer_id();
  if (!pid) {
    log::error("cannot reserve producer ids: {}", pid.error().message());
    out.error_code = protocol::code(kafka_error::kafka_storage_error);
  } else {
    out.producer_id = *pid;
    out.producer_epoch = 0;
  }
  respond.send(req->header, out);
}
}  // namespace

const api_handler init_producer_id{init_producer_id_request::api_key, 0, 4, &handle};
static_assert(4 <= init_producer_id_request::max_version);

}  // namespace brook::broker::handlers
