// SaslHandshake (key 17): starts a SASL exchange with the mechanism the client names, on a
// SASL listener (sasl_session.h). Answered with the enabled mechanisms; an unknown
// mechanism gets UNSUPPORTED_SASL_MECHANISM and the connection closes, as on Kafka. On a
// listener without SASL, or in the middle of an exchange, ILLEGAL_SASL_STATE.
#include "protocol/messages/sasl_handshake.h"
#include "base/log.h"
#include "base/text.h"
#include "broker/broker.h"
#include "broker/handlers/handlers.h"
#include "protocol/kafka_error.h"

namespace brook::broker::handlers {

namespace {
using protocol::kafka_error;
using protocol::sasl_handshake_request;
using protocol::sasl_handshake_response;

void handle(broker& b, std::shared_ptr<request_context> req, responder respond) {
  auto in = decode_or_close<sasl_handshake_request>(*req, respond);
  if (!in) {
    return;
  }
  sasl_session& s = *req->sasl;
  const security::sasl_authenticator* auth = b.sasl();
  sasl_handshake_response out;
  if (auth != nullptr) {
    out.mechanisms = auth->mechanisms();
  }
  if (!s.required || auth == nullptr) {
    out.error_code = protocol::code(kafka_error::illegal_sasl_state);
    respond.send(req->header, out);
    return;
  }
  const bool reauthentication = s.at == sasl_session::stage::authenticated;
  if (s.at == sasl_session::stage::handshaken ||
      (reauthentication && req->header.api_version == 0)) {
    log::info("closing Kafka connection from {}: SaslHandshake during an exchange",
              req->client_host.substr(1));
    out.error_code = protocol::code(kafka_error::illegal_sasl_state);
    respond.send_then_close(req->header, out);
    return;
  }
  auto exchange = auth->start(in->mechanism);
  if (!exchange) {
    log::info("closing Kafka connection from {}: SASL mechanism '{}' is not enabled",
              req->client_host.substr(1), loggable(in->mechanism));
    out.error_code = protocol::code(kafka_error::unsupported_sasl_mechanism);
    respond.send_then_close(req->header, out);
    return;
  }
  if (reauthentication && in->mechanism != s.authenticated_mechanism) {
    log::info("closing Kafka connection from {}: re-authentication with {} after {}",
              req->client_host.substr(1), in->mechanism, s.authenticated_mechanism);
    out.error_code = protocol::code(kafka_error::illegal_sasl_state);
    respond.send_then_close(req->header, out);
    return;
  }
  s.exchange = std::move(exchange);
  if (const auto* users = b.user_directory()) {
    s.credentials_seen = users->generation();
  }
  s.mechanism = in->mechanism;
  s.handshake_version = req->header.api_version;
  s.reauthenticating = reauthentication;
  s.at = sasl_session::stage::handshaken;
  out.error_code = 0;
  respond.send(req->header, out);
}
}  // namespace

const api_handler sasl_handshake{sasl_handshake_request::api_key, 0, 1, &handle};
static_assert(1 <= sasl_handshake_request::max_version);

}  // namespace brook::broker::handlers
