// progress_line: a live "N records, R records/s, M MB/s" line for long runs of `brook bench`
// and `brook produce`, rewritten in place (\r) at most once a second, and only when the
// stream is a terminal (a pipe or a file gets nothing). finish() ends the line.
#pragma once

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>

namespace brook::app {

class progress_line {
 public:
  // `enabled`: whether `out` is a terminal (stderr_is_terminal()).
  progress_line(std::ostream& out, bool enabled, std::string what = "records");

  // The totals so far; prints when a second has passed since the last line.
  void update(uint64_t records, uint64_t bytes) {
    if (_enabled) {
      maybe_print(records, bytes);
    }
  }
  // Ends the line (a newline) if one was printed.
  void finish();

  static bool stderr_is_terminal();

 private:
  void maybe_print(uint64_t records, uint64_t bytes);

  using clock = std::chrono::steady_clock;
  std::ostream& _out;
  const bool _enabled;
  const std::string _what;
  const clock::time_point _started = clock::now();
  clock::time_point _last = _started;
  uint32_t _calls = 0;
  bool _printed = false;
};

}  // namespace brook::app
