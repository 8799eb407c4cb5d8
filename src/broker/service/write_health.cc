#include "broker/service/write_health.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "base/log.h"

namespace brook::broker {

namespace {
constexpr const char* probe_name = ".brook-write-probe";
}

write_health::write_health(std::filesystem::path data_dir, size_t probe_bytes)
    : _data_dir(std::move(data_dir)), _probe_bytes(probe_bytes) {}

bool write_health::is_disk_condition(const std::error_code& ec) {
  if (ec.category() != std::system_category() && ec.category() != std::generic_category()) {
    return false;
  }
  switch (ec.value()) {
    case ENOSPC:
    case EDQUOT:
    case EFBIG:
    case EIO:
    case EROFS:
      return true;
    default:
      return false;
  }
}

void write_health::failed(const std::error_code& ec) {
  if (!is_disk_condition(ec)) {
    return;
  }
  std::string reason =
      "the data directory " + _data_dir.string() + " cannot take writes: " + ec.message();
  {
    std::lock_guard lock(_mutex);
    _reason = reason;
  }
  if (!_failing.exchange(true)) {
    log::error("{}; produce requests fail and /readyz answers 503 until writes succeed again",
               reason);
  }
}

void write_health::succeeded() {
  if (_failing.load(std::memory_order_relaxed)) {
    recovered("an append succeeded");
  }
}

void write_health::recovered(const char* how) {
  if (_failing.exchange(false)) {
    log::info("the data directory {} takes writes again ({}); ready", _data_dir.string(), how);
  }
}

std::optional<std::string> write_health::problem() const {
  if (!_failing.load(std::memory_order_acquire)) {
    return std::nullopt;
  }
  std::lock_guard lock(_mutex);
  return _reason;
}

void write_health::probe() {
  if (!_failing.load(std::memory_order_acquire)) {
    return;
  }
  const auto path = _data_dir / probe_name;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return;
  }
  std::vector<char> block(64 * 1024, '\0');
  bool ok = true;
  for (size_t written = 0; ok && written < _probe_bytes;) {
    ssize_t n = ::write(fd, block.data(), std::min(block.size(), _probe_bytes - written));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    ok = n > 0;
    written += ok ? static_cast<size_t>(n) : 0;
  }
  ok = ok && ::fdatasync(fd) == 0;
  ::close(fd);
  ::unlink(path.c_str());
  if (ok) {
    recovered("a probe write succeeded");
  }
}

}  // namespace brook::broker
