// outcome<T>: a value or a backend_error (a Kafka error code and a message). The backend
// interface answers with these: both of its implementations speak Kafka's error codes,
// and the message says what the user did wrong ("Topic 'x' already exists").
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "base/assert.h"
#include "protocol/kafka_error.h"

namespace brook::backend {

struct backend_error {
  protocol::kafka_error code = protocol::kafka_error::unknown_server_error;
  std::string message;
};

template <typename T>
class [[nodiscard]] outcome {
 public:
  outcome(T value) : _v(std::move(value)) {}              // NOLINT(google-explicit-constructor)
  outcome(backend_error error) : _v(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool has_value() const { return _v.index() == 0; }
  explicit operator bool() const { return has_value(); }
  T& value() & {
    BROOK_ASSERT(has_value(), "value() of a failed outcome");
    return std::get<0>(_v);
  }
  const T& value() const& {
    BROOK_ASSERT(has_value(), "value() of a failed outcome");
    return std::get<0>(_v);
  }
  T&& value() && {
    BROOK_ASSERT(has_value(), "value() of a failed outcome");
    return std::get<0>(std::move(_v));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  const backend_error& error() const {
    BROOK_ASSERT(!has_value(), "error() of a successful outcome");
    return std::get<1>(_v);
  }

 private:
  std::variant<T, backend_error> _v;
};

template <>
class [[nodiscard]] outcome<void> {
 public:
  outcome() = default;
  outcome(backend_error error) : _error(std::move(error)) {}  // NOLINT

  bool has_value() const { return !_error; }
  explicit operator bool() const { return has_value(); }
  const backend_error& error() const {
    BROOK_ASSERT(_error.has_value(), "error() of a successful outcome");
    return *_error;
  }

 private:
  std::optional<backend_error> _error;
};

}  // namespace brook::backend
