// kafka_result<T>: a value or a kafka_failure (a Kafka error code and the message that says
// what went wrong: "Topic 'x' already exists"). The broker's services and the event backend
// answer with these: Kafka error codes are the vocabulary both of the backend's
// implementations speak, and each front door maps them once (Kafka responses carry them
// as they are; the REST Proxy maps them to Confluent's codes in rest/rest_error.cc).
// Lower layers (storage, base) use result<T> with an errc per module; the services map
// those with to_kafka_error (broker/error_mapping.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "base/expected.h"
#include "protocol/kafka_error.h"

namespace brook::protocol {

// A record that made its batch fail (KIP-467: Produce v8+ answers them per partition), by
// its index in its batch.
struct record_error {
  int32_t batch_index = 0;
  std::optional<std::string> message;
};

struct kafka_failure {
  kafka_failure() = default;
  kafka_failure(protocol::kafka_error c, std::string m = {}, std::vector<record_error> r = {})
      : code(c), message(std::move(m)), record_errors(std::move(r)) {}

  protocol::kafka_error code = protocol::kafka_error::unknown_server_error;
  std::string message;
  std::vector<record_error> record_errors;  // Produce only: the records to blame, if known
};

// expected<T, kafka_failure> (base/expected.h) that a kafka_failure converts to.
template <typename T>
class [[nodiscard]] kafka_result : public expected<T, kafka_failure> {
  using base = expected<T, kafka_failure>;

 public:
  using base::base;
  kafka_result() requires std::is_void_v<T> {}
  kafka_result(kafka_failure error)  // NOLINT(google-explicit-constructor)
      : base(unexpected(std::move(error))) {}
};

}  // namespace brook::protocol
