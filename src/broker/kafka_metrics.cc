#include "broker/kafka_metrics.h"

#include <string>

#include "broker/dispatch.h"
#include "protocol/kafka_error.h"
#include "protocol/messages/api_catalog.h"

namespace brook::broker {

kafka_metrics::kafka_metrics() {
  for (const api_handler* h : all_handlers()) {
    if (h->key >= 0 && static_cast<size_t>(h->key) < max_api_key) {
      _apis[static_cast<size_t>(h->key)] = std::make_unique<api_counters>();
    }
  }
}

void kafka_metrics::record_request(int16_t api_key, std::chrono::nanoseconds elapsed,
                                   uint64_t bytes_in, uint64_t bytes_out,
                                   std::span<const int16_t> errors) {
  if (api_key < 0 || static_cast<size_t>(api_key) >= max_api_key) {
    return;
  }
  auto* api = _apis[static_cast<size_t>(api_key)].get();
  if (api == nullptr) {
    return;  // not served: the connection was closed, there is no answer to count
  }
  api->requests.add();
  api->bytes_in.add(bytes_in);
  api->bytes_out.add(bytes_out);
  api->latency.observe(elapsed);
  for (int16_t code : errors) {
    const int index = code - min_error;
    if (index >= 0 && static_cast<size_t>(index) < error_codes) {
      api->errors[static_cast<size_t>(index)].add();
    }
  }
}

void kafka_metrics::record_long_poll(bool timed_out) {
  (timed_out ? _long_polls_timed_out : _long_polls_answered).add();
}

void kafka_metrics::record_file_bytes(uint64_t bytes, bool sendfile) {
  (sendfile ? _sendfile_bytes : _copied_file_bytes).add(bytes);
}

void kafka_metrics::write(metrics_writer& w) const {
  // The API's name as our schema files spell it (produce, list_offsets, sasl_handshake).
  auto each = [this](auto&& f) {
    for (size_t key = 0; key < max_api_key; ++key) {
      if (_apis[key]) {
        const auto* schema = protocol::find_api_schema(static_cast<int16_t>(key));
        f(schema != nullptr ? schema->name : std::string_view("unknown"), *_apis[key]);
      }
    }
  };
  w.counter("brook_kafka_requests", "Kafka requests answered, by API.");
  each([&](std::string_view api, const api_counters& c) {
    w.value({{"api", api}}, c.requests.value());
  });
  w.counter("brook_kafka_request_errors",
            "Error codes in Kafka answers (one per partition or resource that failed), by API "
            "and error.");
  each([&](std::string_view api, const api_counters& c) {
    for (size_t i = 0; i < error_codes; ++i) {
      if (const uint64_t n = c.errors[i].value(); n > 0) {
        const auto code = static_cast<int16_t>(static_cast<int>(i) + min_error);
        std::string name(protocol::kafka_error_name(static_cast<protocol::kafka_error>(code)));
        if (name == "UNKNOWN") {
          name = std::to_string(code);
        }
        w.value({{"api", api}, {"error", name}}, n);
      }
    }
  });
  w.histogram("brook_kafka_request_duration_seconds",
              "Time from a Kafka request read to its answer ready, by API (Fetch includes "
              "its long-poll wait).");
  each([&](std::string_view api, const api_counters& c) {
    if (auto h = c.latency.read(); h.count() > 0) {  // an API never asked has no buckets
      w.value({{"api", api}}, h);
    }
  });
  w.counter("brook_kafka_request_bytes", "Bytes of Kafka request frames, by API.");
  each([&](std::string_view api, const api_counters& c) {
    w.value({{"api", api}}, c.bytes_in.value());
  });
  w.counter("brook_kafka_response_bytes", "Bytes of Kafka answers, record data included, by API.");
  each([&](std::string_view api, const api_counters& c) {
    w.value({{"api", api}}, c.bytes_out.value());
  });
  w.counter("brook_fetch_long_polls",
            "Fetch requests that waited for data, by how the wait ended (data or timeout).");
  w.value({{"outcome", "data"}}, _long_polls_answered.value());
  w.value({{"outcome", "timeout"}}, _long_polls_timed_out.value());
  w.counter("brook_fetch_file_bytes",
            "Record bytes sent from segment files, by method: sendfile (plaintext listeners) "
            "or copy (TLS).");
  w.value({{"method", "sendfile"}}, _sendfile_bytes.value());
  w.value({{"method", "copy"}}, _copied_file_bytes.value());
}

}  // namespace brook::broker
