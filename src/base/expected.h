// expected<T, E>: a value of type T, or an error of type E. The one shape of a result in
// Brook, with its accessors written once; each layer names its error type:
//   result<T>                 E = std::error_code, an errc per module (base/result.h)
//   protocol::kafka_result<T> E = kafka_failure, a Kafka code and a message
//   app::outcome<T>           E = std::string, a message for the user of a command
// An error is made with unexpected(e), or implicitly where the layer's type allows it
// (result<T> from an errc, kafka_result<T> from a kafka_failure). expected<void, E> is
// success or an error. Errors are values: nothing on a request or I/O path throws.
#pragma once

#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

#include "base/assert.h"

namespace brook {

// An error on its way into an expected<T, E>: `return unexpected(std::string("no"));`.
template <typename E>
class unexpected {
 public:
  explicit unexpected(E error) : _error(std::move(error)) {}

  const E& error() const& { return _error; }
  E&& error() && { return std::move(_error); }

 private:
  E _error;
};

template <typename E>
unexpected(E) -> unexpected<E>;

template <typename T, typename E>
class [[nodiscard]] expected {
 public:
  using value_type = T;
  using error_type = E;

  expected(T value)  // NOLINT(google-explicit-constructor)
      : _v(std::in_place_index<0>, std::move(value)) {}
  template <typename G>
  requires std::is_constructible_v<E, G> expected(unexpected<G> error)  // NOLINT
      : _v(std::in_place_index<1>, std::move(error).error()) {}

  bool has_value() const { return _v.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & {
    BROOK_ASSERT(has_value(), "value() of a failed result");
    return std::get<0>(_v);
  }
  const T& value() const& {
    BROOK_ASSERT(has_value(), "value() of a failed result");
    return std::get<0>(_v);
  }
  T&& value() && {
    BROOK_ASSERT(has_value(), "value() of a failed result");
    return std::get<0>(std::move(_v));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }

  const E& error() const& {
    BROOK_ASSERT(!has_value(), "error() of a successful result");
    return std::get<1>(_v);
  }
  E&& error() && {
    BROOK_ASSERT(!has_value(), "error() of a successful result");
    return std::get<1>(std::move(_v));
  }

 private:
  std::variant<T, E> _v;
};

// Success, or an error.
template <typename E>
class [[nodiscard]] expected<void, E> {
 public:
  using value_type = void;
  using error_type = E;

  expected() = default;
  template <typename G>
  requires std::is_constructible_v<E, G> expected(unexpected<G> error)  // NOLINT
      : _error(std::move(error).error()) {}

  bool has_value() const { return !_error.has_value(); }
  explicit operator bool() const { return has_value(); }

  const E& error() const& {
    BROOK_ASSERT(!has_value(), "error() of a successful result");
    return *_error;
  }
  E&& error() && {
    BROOK_ASSERT(!has_value(), "error() of a successful result");
    return *std::move(_error);
  }

 private:
  std::optional<E> _error;
};

}  // namespace brook
