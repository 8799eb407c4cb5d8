// kafka_result<T>: a value or a kafka_failure (a Kafka error code and the message that says
// what went wrong: "Topic 'x' already exists"). The broker's services and the event backend
// answer with these: Kafka error codes are the vocabulary both of the backend's
// implementations speak, and each front door maps them once (Kafka responses carry them
// as they are; the REST Proxy maps them to Confluent's codes in rest/rest_error.cc).
// Lower layers (storage, base) use result<T> with an errc per module; the services map
// those with to_kafka_error (broker/error_mapping.h).
#pragma once

#include <string>
#include <type_traits>
#include <utility>

#include "base/expected.h"
#include "protocol/kafka_error.h"

namespace brook::protocol {

struct kafka_failure {
  protocol::kafka_error code = protocol::kafka_error::unknown_server_error;
  std::string message;
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
