// The Kafka APIs the broker serves: each handler binds an API key to the versions it
// serves and a function. dispatch.cc holds the one table; ApiVersions reports exactly it.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "broker/request_context.h"

namespace brook::broker {

class broker;

struct api_handler {
  int16_t key;
  int16_t min_version;
  int16_t max_version;
  void (*handle)(broker& b, std::shared_ptr<request_context> req, responder respond);
};

std::span<const api_handler* const> all_handlers();
const api_handler* find_handler(int16_t key);

// Runs the handler of the request's API, or answers/closes as Kafka does for an unknown
// API or version.
void dispatch_request(broker& b, std::shared_ptr<request_context> req, responder respond);

// Decodes the request body as `Message`; on failure logs and closes the connection
// (Kafka closes connections whose requests it cannot parse) and returns nullopt.
template <typename Message>
std::optional<Message> decode_or_close(const request_context& req, responder& respond);

}  // namespace brook::broker

#include "broker/dispatch_inl.h"
