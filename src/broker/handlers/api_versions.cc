// ApiVersions (key 18): the APIs and versions this broker serves, from the handler table.
#include "protocol/messages/api_versions.h"
#include "broker/broker.h"
#include "broker/handlers/handlers.h"
#include "protocol/kafka_error.h"

namespace brook::broker::handlers {

namespace {
using protocol::api_versions_request;
using protocol::api_versions_response;

void handle(broker& /*b*/, std::shared_ptr<request_context> req, responder respond) {
  api_versions_response out;
  for (const api_handler* h : all_handlers()) {
    auto& k = out.api_keys.emplace_back();
    k.api_key = h->key;
    k.min_version = h->min_version;
    k.max_version = h->max_version;
  }
  int16_t version = req->header.api_version;
  if (version > api_versions_response::max_version || version < 0) {
    // A version we do not know: answer in v0 so any client can read it.
    out.error_code = protocol::code(protocol::kafka_error::unsupported_version);
    protocol::wire_writer w;
    protocol::begin_response(w, req->header.api_key, 0, req->header.correlation_id);
    out.encode(w, 0);
    protocol::finish_response(w);
    respond.send_frame(std::move(w));
    return;
  }
  // The body is read leniently: a client newer than us may send fields we skip.
  (void)api_versions_request::decode(req->body(), version);
  respond.send(req->header, out);
}
}  // namespace

const api_handler api_versions{api_versions_request::api_key, 0, 3, &handle};
static_assert(3 <= api_versions_request::max_version);

}  // namespace brook::broker::handlers
