// result<T>: a value or a std::error_code, with an errc per module (storage::errc,
// protocol::errc, ...): expected<T, std::error_code> (base/expected.h) that an errc or an
// error_code converts to. Errors are values in Brook; nothing on a request or I/O path
// throws.
#pragma once

#include <cerrno>
#include <system_error>
#include <type_traits>
#include <utility>

#include "base/assert.h"
#include "base/expected.h"

namespace brook {

template <typename T>
class [[nodiscard]] result : public expected<T, std::error_code> {
  using base = expected<T, std::error_code>;

 public:
  using base::base;
  result() requires std::is_void_v<T> {}
  result(std::error_code ec) : base(unexpected(ec)) {  // NOLINT(google-explicit-constructor)
    BROOK_ASSERT(ec, "a result error must be a real error");
  }
  template <typename E>
  requires std::is_error_code_enum_v<E> result(E e)
      : result(std::error_code(make_error_code(e))) {}  // NOLINT

  // The error, or an empty error_code when there is a value.
  std::error_code error() const { return this->has_value() ? std::error_code{} : base::error(); }
};

// Success or an error.
using status = result<void>;

// The error of the last failed system call, as an error_code.
inline std::error_code last_system_error() {
  return {errno, std::system_category()};
}

}  // namespace brook
