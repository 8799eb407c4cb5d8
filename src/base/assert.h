// Always-on invariant checks: a broken invariant stops the process with a message, in
// release builds too. Bad input never reaches one of these: it gets an error value.
#pragma once

namespace brook::detail {
[[noreturn]] void assert_failed(const char* expr, const char* msg, const char* file, int line);
}

#define BROOK_ASSERT(expr, msg)                                         \
  do {                                                                  \
    if (!(expr)) [[unlikely]] {                                         \
      ::brook::detail::assert_failed(#expr, (msg), __FILE__, __LINE__); \
    }                                                                   \
  } while (false)
