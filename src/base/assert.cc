#include "base/assert.h"

#include <cstdio>
#include <cstdlib>

namespace brook::detail {

void assert_failed(const char* expr, const char* msg, const char* file, int line) {
  std::fprintf(stderr, "brook: assertion failed at %s:%d: %s (%s)\n", file, line, msg, expr);
  std::fflush(stderr);
  std::abort();
}

}  // namespace brook::detail
