// result<T>: a value or a std::error_code. Errors are values in Brook; nothing on a
// request or I/O path throws.
#pragma once

#include <system_error>
#include <utility>
#include <variant>

#include "base/assert.h"

namespace brook {

template <typename T>
class [[nodiscard]] result {
 public:
  result(T value) : _v(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  result(std::error_code ec) : _v(ec) {      // NOLINT(google-explicit-constructor)
    BROOK_ASSERT(ec, "a result error must be a real error");
  }
  template <typename E>
  requires std::is_error_code_enum_v<E> result(E e)
      : result(std::error_code(make_error_code(e))) {}  // NOLINT

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

  std::error_code error() const { return has_value() ? std::error_code{} : std::get<1>(_v); }

 private:
  std::variant<T, std::error_code> _v;
};

// result<void>: success or an error.
template <>
class [[nodiscard]] result<void> {
 public:
  result() = default;
  result(std::error_code ec) : _ec(ec) {  // NOLINT(google-explicit-constructor)
    BROOK_ASSERT(ec, "a result error must be a real error");
  }
  template <typename E>
  requires std::is_error_code_enum_v<E> result(E e)
      : result(std::error_code(make_error_code(e))) {}  // NOLINT

  bool has_value() const { return !_ec; }
  explicit operator bool() const { return has_value(); }
  std::error_code error() const { return _ec; }

 private:
  std::error_code _ec;
};

using status = result<void>;

// The error of the last failed system call, as an error_code.
inline std::error_code last_system_error() {
  return {errno, std::system_category()};
}

}  // namespace brook
