// log_manager: every partition log under one data directory, the flusher they share, the
// retention check, the recovery checkpoints and the log cleaner (enforce_retention(),
// checkpoint_all() and clean_all(), which its owner runs periodically: in `brook serve` timers on a
// housekeeping thread; storage keeps no timer thread of its own). The broker looks a partition up
// once and keeps the shared_ptr; the map's lock is not on the append or read path.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <stop_token>
#include <string>
#include <vector>

#include "base/result.h"
#include "storage/flusher.h"
#include "storage/log_config.h"
#include "storage/offset_map.h"
#include "storage/partition_log.h"

namespace brook::storage {

using partition_key = std::pair<std::string, int32_t>;  // topic, partition

struct recovery_summary {
  size_t partitions = 0;
  size_t clean = 0;             // opened after a clean shutdown
  size_t segments_scanned = 0;  // read whole (an index did not check out, or damage)
  uint64_t bytes_scanned = 0;   // read and checked: segment tails past their last index entry
  size_t indexes_rebuilt = 0;
  size_t tails_truncated = 0;
  size_t segments_quarantined = 0;
  std::chrono::microseconds elapsed{0};
};

class log_manager {
 public:
  struct options {
    std::filesystem::path data_dir;
    log_config defaults;
    // Partitions opened (recovered) by open_all(), and closed by close_all(), at once.
    unsigned recovery_threads = default_recovery_threads();
    // The log cleaner's key map: at most this many bytes (offset_map.h), per clean_all().
    size_t cleaner_map_bytes = offset_map::default_max_bytes;
  };
  // One per core, at least 2 (recovery waits on the disk as much as on the CPU), at most 16.
  static unsigned default_recovery_threads();
  // How often open_all() and close_all() log their progress while they run.
  static constexpr std::chrono::seconds progress_interval{5};

  explicit log_manager(options opts);
  ~log_manager();

  // Opens every <topic>-<partition> directory under the data directory (creating it if
  // needed). Directories with other names are left alone.
  result<recovery_summary> open_all();
  // The log of a partition, opened or created with `config` (the defaults if absent).
  result<std::shared_ptr<partition_log>> get_or_create(const std::string& topic, int32_t partition,
                                                       const log_config* config = nullptr);
  std::shared_ptr<partition_log> find(const std::string& topic, int32_t partition) const;
  // Closes the partition's log and deletes its directory (DeleteTopics). Readers holding
  // the log get errc::log_closed; open file ranges stay readable until released.
  status remove(const std::string& topic, int32_t partition);
  std::vector<std::pair<partition_key, std::shared_ptr<partition_log>>> all() const;
  // Runs retention on every log now.
  void enforce_retention();
  // Takes a recovery checkpoint of every log written since its last one
  // (partition_log::checkpoint); its owner runs it every
  // storage.recovery_checkpoint_interval_ms. Failures are logged, one line a round.
  // Returns how many were taken.
  size_t checkpoint_all();
  // The log cleaner: cleans every log with cleanup.policy compact whose dirty share or
  // compaction lag asks for it (assess_cleaning in log_cleaner.h), one after another. Its
  // owner runs it every storage.log_cleaner_interval_ms on a thread of its own (a clean
  // reads and rewrites whole segments). Stops early once close_all() has begun. Returns
  // how many logs were cleaned.
  size_t clean_all();
  // Makes a running clean_all() stop at its next segment, and later ones do nothing.
  void stop_cleaning() { _cleaner_stop.request_stop(); }
  // Closes every log cleanly (flush, indexes, clean-shutdown marker) and stops the flusher.
  // enforce_retention() must not run from now on.
  status close_all();

  flusher& log_flusher() { return _flusher; }

 private:
  options _opts;
  flusher _flusher;
  mutable std::shared_mutex _mutex;
  std::map<partition_key, std::shared_ptr<partition_log>> _logs;
  std::mutex _close_mutex;
  std::atomic<bool> _closed{false};
  std::stop_source _cleaner_stop;
};

}  // namespace brook::storage
