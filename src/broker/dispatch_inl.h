// Template part of dispatch.h.
#pragma once

#include <optional>

#include "base/log.h"

namespace brook::broker {

template <typename Message>
std::optional<Message> decode_or_close(const request_context& req, responder& respond) {
  auto decoded = Message::decode(req.body(), req.header.api_version);
  if (!decoded) {
    log::warn("closing connection: cannot decode api {} v{} (correlation {}): {}",
              req.header.api_key, req.header.api_version, req.header.correlation_id,
              decoded.error().message());
    respond.close();
    return std::nullopt;
  }
  return std::move(*decoded);
}

}  // namespace brook::broker
