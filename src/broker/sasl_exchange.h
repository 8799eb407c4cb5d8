// sasl_exchange: one step of a connection's SASL exchange, shared by SaslAuthenticate
// (v1 handshakes) and the raw tokens that follow a v0 handshake. It feeds the client's
// token to the session's mechanism and, at the end, makes the session authenticated
// (with its lifetime) or reports the failure; the caller frames the answer.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "broker/request_context.h"

namespace brook::broker {

class broker;

struct sasl_exchange_outcome {
  enum class state { challenge, success, failure };
  state outcome = state::failure;
  std::string token;                // to send back
  std::string message;              // on failure: what the client is told
  int64_t session_lifetime_ms = 0;  // on success: 0 when the session does not expire
};

// Runs on the connection's thread; `done` runs there too.
void sasl_exchange_step(broker& b, const std::shared_ptr<request_context>& req,
                        std::string_view token, std::function<void(sasl_exchange_outcome)> done);

}  // namespace brook::broker
