// kafka_result<T>: a value or a kafka_failure (a Kafka error code and the message that says
// what went wrong: "Topic 'x' already exists"). The broker's services and the event backend
// answer with these: Kafka error codes are the vocabulary both of the backend's
// implementations speak, and each front door maps them once (Kafka responses carry them
// as they are; the REST Proxy maps them to Confluent's codes in rest/rest_error.cc).
// Lower layers (storage, base) use result<T> with an errc per module; the services map
// those with to_kafka_error (broker/error_mapping.h).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "base/assert.h"
#include "protocol/kafka_error.h"

namespace brook::protocol {

struct kafka_failure {
  protocol::kafka_error code = protocol::kafka_error::unknown_server_error;
  std::string message;
};

template <typename T>
class [[nodiscard]] kafka_result {
 public:
  kafka_result(T value) : _v(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  kafka_result(kafka_failure error)
      : _v(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool has_value() const { return _v.index() == 0; }
  explicit operator bool() const { return has_value(); }
  T& value() & {
    BROOK_ASSERT(has_value(), "value() of a failed kafka_result");
    return std::get<0>(_v);
  }
  const T& value() const& {
    BROOK_ASSERT(has_value(), "value() of a failed kafka_result");
    return std::get<0>(_v);
  }
  T&& value() && {
    BROOK_ASSERT(has_value(), "value() of a failed kafka_result");
    return std::get<0>(std::move(_v));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  const kafka_failure& error() const {
    BROOK_ASSERT(!has_value(), "error() of a successful kafka_result");
    return std::get<1>(_v);
  }

 private:
  std::variant<T, kafka_failure> _v;
};

template <>
class [[nodiscard]] kafka_result<void> {
 public:
  kafka_result() = default;
  kafka_result(kafka_failure error) : _error(std::move(error)) {}  // NOLINT

  bool has_value() const { return !_error; }
  explicit operator bool() const { return has_value(); }
  const kafka_failure& error() const {
    BROOK_ASSERT(_error.has_value(), "error() of a successful kafka_result");
    return *_error;
  }

 private:
  std::optional<kafka_failure> _error;
};

}  // namespace brook::protocol
