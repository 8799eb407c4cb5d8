#include "app/cli/progress_line.h"

#include <fmt/format.h>
#include <unistd.h>

namespace brook::app {

progress_line::progress_line(std::ostream& out, bool enabled, std::string what)
    : _out(out), _enabled(enabled), _what(std::move(what)) {}

bool progress_line::stderr_is_terminal() {
  return isatty(STDERR_FILENO) != 0;
}

void progress_line::maybe_print(uint64_t records, uint64_t bytes) {
  if (++_calls % 256 != 0) {
    return;  // the clock is read every 256 calls: a call per record stays cheap
  }
  const auto now = clock::now();
  if (now - _last < std::chrono::seconds(1)) {
    return;
  }
  _last = now;
  const double s = std::chrono::duration<double>(now - _started).count();
  _out << fmt::format("\r{} {}, {:.0f} {}/s, {:.1f} MB/s   ", records, _what,
                      static_cast<double>(records) / s, _what, static_cast<double>(bytes) / s / 1e6)
       << std::flush;
  _printed = true;
}

void progress_line::finish() {
  if (_printed) {
    _out << "\n" << std::flush;
    _printed = false;
  }
}

}  // namespace brook::app
