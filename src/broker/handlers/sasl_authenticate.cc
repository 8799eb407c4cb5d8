// SaslAuthenticate (key 36): one SASL token each way, after a v1 SaslHandshake
// (sasl_exchange.h). A failed authentication is answered with SASL_AUTHENTICATION_FAILED
// and closes the connection; one without a handshake before it, with ILLEGAL_SASL_STATE.
// v1+ answers carry the session lifetime (KIP-368).
#include "protocol/messages/sasl_authenticate.h"
#include "broker/broker.h"
#include "broker/handlers/handlers.h"
#include "broker/sasl_exchange.h"
#include "protocol/kafka_error.h"

namespace brook::broker::handlers {

namespace {
using protocol::kafka_error;
using protocol::sasl_authenticate_request;
using protocol::sasl_authenticate_response;

std::string text_of(const std::vector<std::byte>& bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

std::vector<std::byte> bytes_of(const std::string& text) {
  const auto* p = reinterpret_cast<const std::byte*>(text.data());
  return std::vector<std::byte>(p, p + text.size());
}

void handle(broker& b, std::shared_ptr<request_context> req, responder respond) {
  auto in = decode_or_close<sasl_authenticate_request>(*req, respond);
  if (!in) {
    return;
  }
  sasl_session& s = *req->sasl;
  if (!s.required || s.at == sasl_session::stage::authenticated) {
    // As Kafka: outside an exchange the request is answered, and the connection stays.
    sasl_authenticate_response out;
    out.error_code = protocol::code(kafka_error::illegal_sasl_state);
    out.error_message = "SaslAuthenticate outside a SASL exchange";
    respond.send(req->header, out);
    return;
  }
  if (s.at != sasl_session::stage::handshaken || s.handshake_version == 0 || !s.exchange) {
    sasl_authenticate_response out;
    out.error_code = protocol::code(kafka_error::illegal_sasl_state);
    out.error_message = "SaslAuthenticate without a SaslHandshake v1 before it";
    respond.send_then_close(req->header, out);
    return;
  }
  auto header = req->header;
  auto answer = std::make_shared<responder>(std::move(respond));
  sasl_exchange_step(b, req, text_of(in->auth_bytes),
                     [header, answer](const sasl_exchange_outcome& result) {
                       sasl_authenticate_response out;
                       out.auth_bytes = bytes_of(result.token);
                       if (result.outcome == sasl_exchange_outcome::state::failure) {
                         out.error_code = protocol::code(kafka_error::sasl_authentication_failed);
                         out.error_message = result.message;
                         answer->send_then_close(header, out);
                         return;
                       }
                       out.error_code = 0;
                       out.error_message.reset();
                       out.session_lifetime_ms = result.session_lifetime_ms;
                       answer->send(header, out);
                     });
}
}  // namespace

const api_handler sasl_authenticate{sasl_authenticate_request::api_key, 0, 2, &handle};
static_assert(2 <= sasl_authenticate_request::max_version);

}  // namespace brook::broker::handlers
