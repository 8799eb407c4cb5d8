// write_health: whether the data directory takes writes. An append that fails for want of
// space or on an I/O error (ENOSPC, EDQUOT, EFBIG, EIO, EROFS) marks it failing, with the
// reason, logged once; the next append that succeeds, or a probe that writes and syncs a
// file the size of a large batch, marks it healthy again, logged once too. /readyz reports
// not ready while it fails, so a load balancer sends producers elsewhere.
#pragma once

#include <atomic>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>

namespace brook::broker {

class write_health {
 public:
  write_health(std::filesystem::path data_dir, size_t probe_bytes);

  // An append failed with `ec`; only disk conditions count.
  void failed(const std::error_code& ec);
  // An append succeeded (one relaxed load while healthy).
  void succeeded();
  // Why the data directory takes no writes, or nullopt when it does.
  std::optional<std::string> problem() const;
  // While failing: writes, syncs and removes a probe file; healthy again when that works.
  // Does nothing while healthy. Called from a timer, off the request threads.
  void probe();

  // Whether `ec` says the disk cannot take writes (rather than a bad request).
  static bool is_disk_condition(const std::error_code& ec);

 private:
  void recovered(const char* how);

  const std::filesystem::path _data_dir;
  const size_t _probe_bytes;
  std::atomic<bool> _failing{false};
  mutable std::mutex _mutex;
  std::string _reason;
};

}  // namespace brook::broker
