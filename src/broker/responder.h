// responder: answers one Kafka request. A handler may answer from any thread (a flusher
// callback, a timer); the responder hands the answer to the connection's thread, which sends
// answers in request order. Dropping a responder unanswered closes the connection.
#pragma once

#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "protocol/request_header.h"
#include "protocol/wire_writer.h"

namespace brook::broker {

// A whole response frame (size prefix included) ready to send.
struct response {
  std::vector<std::byte> buffer;
  std::vector<protocol::wire_writer::splice> splices;
  bool send = true;                  // false: nothing goes back (produce with acks=0)
  bool close_after = false;          // close the connection once the responses before are sent
  std::vector<int16_t> error_codes;  // the nonzero error codes the answer holds (/metrics)

  uint64_t size() const {
    uint64_t n = buffer.size();
    for (const auto& s : splices) {
      n += static_cast<uint64_t>(s.slice.length);
    }
    return n;
  }
};

class responder {
 public:
  using deliver_fn = std::function<void(response)>;

  explicit responder(deliver_fn deliver) : _deliver(std::move(deliver)) {}
  responder(responder&& o) noexcept : _deliver(std::move(o._deliver)) { o._deliver = nullptr; }
  responder& operator=(responder&& o) noexcept {
    if (this != &o) {
      _deliver = std::move(o._deliver);
      o._deliver = nullptr;
    }
    return *this;
  }
  // A request dropped without an answer would stall its connection: close it instead.
  ~responder() {
    if (_deliver) {
      close();
    }
  }
  responder(const responder&) = delete;
  responder& operator=(const responder&) = delete;

  // Encodes `message` with the request's header and version and sends it.
  template <typename Message>
  void send(const protocol::request_header& header, const Message& message) {
    deliver(encode(header, message, false));
  }
  // As send, then closes the connection (Kafka's answer to a failed authentication).
  template <typename Message>
  void send_then_close(const protocol::request_header& header, const Message& message) {
    deliver(encode(header, message, true));
  }
  void send_frame(protocol::wire_writer&& w, bool close_after = false) {
    response r;
    r.buffer = w.take_buffer();
    r.splices = w.take_splices();
    r.close_after = close_after;
    deliver(std::move(r));
  }
  // No answer (acks=0), but the slot is released so later answers go out.
  void send_nothing() {
    response r;
    r.send = false;
    deliver(std::move(r));
  }
  // Closes the connection after the answers before this one: Kafka's reaction to a
  // request it cannot parse.
  void close() {
    response r;
    r.send = false;
    r.close_after = true;
    deliver(std::move(r));
  }

 private:
  template <typename Message>
  static response encode(const protocol::request_header& header, const Message& message,
                         bool close_after) {
    protocol::wire_writer w;
    protocol::begin_response(w, header.api_key, header.api_version, header.correlation_id);
    message.encode(w, header.api_version);
    protocol::finish_response(w);
    response r;
    r.buffer = w.take_buffer();
    r.splices = w.take_splices();
    r.close_after = close_after;
    if constexpr (requires { message.for_each_error_code([](int16_t) {}); }) {
      message.for_each_error_code([&r](int16_t code) { r.error_codes.push_back(code); });
    }
    return r;
  }

  void deliver(response r) {
    if (_deliver) {
      auto d = std::move(_deliver);
      _deliver = nullptr;
      d(std::move(r));
    }
  }
  deliver_fn _deliver;
};

}  // namespace brook::broker
