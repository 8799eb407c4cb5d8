// segment: one `.log` file of a partition with its `.index` and `.timeindex`. Batches are
// stored exactly as received (offsets assigned). The indexes live in memory; the `.log`
// file is opened on demand through the process's open_file_cache (open_log()), so a data
// directory may hold more segments than the process may open files. The owning partition_log
// serialises appends and guards the in-memory state (sizes, indexes) with its state lock:
//   write_batches()  — append mutex held; writes bytes past the published end
//   publish()        — state lock held exclusively; makes them part of the segment
//   everything const — state lock held shared, or no lock for immutable fields
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/file.h"
#include "base/result.h"
#include "protocol/record_batch.h"
#include "storage/log_config.h"
#include "storage/offset_index.h"
#include "storage/open_file_cache.h"
#include "storage/time_index.h"

namespace brook::storage {

// What recovery found and did in one segment, for the open-time log line and the tests.
struct segment_recovery {
  bool scanned = false;                   // the whole segment was read and validated
  uint64_t scanned_bytes = 0;             // bytes read and validated (the whole file or a tail)
  bool index_rebuilt = false;             // .index or .timeindex was missing or malformed
  uint64_t truncated_bytes = 0;           // bytes cut from the tail
  bool quarantined = false;               // bad bytes were kept in a .corrupt file before the cut
  std::filesystem::path quarantine_file;  // where, when quarantined
  std::error_code reason;                 // the first problem, if any
};

// A batch being appended: where it lies in the written buffer and its offsets.
struct appended_batch {
  uint64_t buffer_position = 0;
  int64_t base_offset = 0;
  int64_t last_offset = 0;
  int64_t max_timestamp = 0;
  uint64_t size = 0;
};

class segment {
 public:
  static result<std::shared_ptr<segment>> create(const std::filesystem::path& dir,
                                                 int64_t base_offset);
  enum class open_mode {
    clean,      // after a clean shutdown: indexes checked, the bytes after the last entry read
    unclean,    // same reading, then fdatasync (the last process may have left dirty pages)
    full_scan,  // every batch read and checked, indexes rebuilt, fdatasync
  };
  // Opens an existing segment as `mode` says. The fast modes fall back to a full scan when
  // an index does not check out or the tail is damaged. Either way a torn or corrupt tail
  // is cut back to the last valid batch (a corrupt one kept in a .corrupt file first).
  static result<std::shared_ptr<segment>> open(const std::filesystem::path& dir,
                                               int64_t base_offset, open_mode mode,
                                               const log_config& config, segment_recovery& report);

  int64_t base_offset() const { return _base_offset; }
  uint64_t size() const { return _size; }
  int64_t next_offset() const { return _next_offset; }
  bool empty() const { return _size == 0; }
  int64_t max_timestamp() const { return _max_timestamp; }
  int64_t offset_of_max_timestamp() const { return _offset_of_max_timestamp; }
  int64_t roll_base_ms() const { return _roll_base_ms; }
  // The `.log` file, open (opened again if the cache had closed it). Hold it while using
  // its descriptor.
  result<std::shared_ptr<const file>> open_log() const { return _log.get(); }
  const cached_file& log_file() const { return _log; }
  const offset_index& index() const { return _index; }
  const time_index& timestamps() const { return _time_index; }
  uint64_t synced_size() const { return _synced_size.load(std::memory_order_acquire); }

  // Writes `bytes` after the published end. A failed write is undone (truncated back).
  status write_batches(std::span<const std::byte> bytes) const;
  // Publishes what write_batches wrote: size, next offset, indexes.
  void publish(uint64_t bytes, std::span<const appended_batch> batches,
               uint32_t index_interval_bytes);

  // fdatasyncs the log up to at least `size` (a size read under the state lock).
  status sync(uint64_t size);
  // Adds a last time index entry for the segment's largest timestamp if the index does not
  // end with it yet, so a reopen knows the true largest timestamp (Kafka does the same on
  // roll and close). State lock held exclusively.
  void seal_time_index();
  // Writes both index files whole and syncs them (on roll and close).
  status write_indexes() const;
  // The index files' bytes as they stand, the time index with a last entry for the
  // largest timestamp as sealing adds (the segment's own index is left as it is), for a
  // recovery checkpoint. State lock held (shared is enough).
  struct index_files {
    std::string offsets;
    std::string timestamps;
  };
  index_files encode_indexes() const;
  // Replaces both index files with `files`, each atomically (the time index first, so a
  // crash between the two leaves an offset index that is not ahead of it) and durably.
  status write_index_files(const index_files& files) const;

  // The first batch at or after `start` (a batch boundary) and before `limit` whose header
  // satisfies `pred`: (position, header). Reads headers only from `log` (open_log()), one
  // pread each.
  template <typename Pred>
  std::optional<std::pair<uint64_t, protocol::batch_header>> find_first(const file& log,
                                                                        uint64_t start,
                                                                        uint64_t limit,
                                                                        Pred pred) const {
    for (uint64_t pos = start; pos < limit;) {
      auto h = read_header(log, pos);
      if (!h || h->batch_length <= 0) {
        return std::nullopt;
      }
      if (pred(*h)) {
        return std::pair{pos, *h};
      }
      pos += h->total_size();
    }
    return std::nullopt;
  }
  // Position after the last whole batch that ends at or before `end`, scanning from
  // `start` (a batch boundary); with `first_batch_always`, at least the first batch when it
  // alone passes `end` (else `start`: nothing).
  uint64_t batch_aligned_end(const file& log, uint64_t start, uint64_t end, uint64_t limit,
                             bool first_batch_always = true) const;

  // Removes the three files. The segment must not be used afterwards, except by readers
  // that still hold it: their open descriptor keeps the data readable.
  status remove_files() const;

  const std::filesystem::path& dir() const { return _dir; }

 private:
  segment(std::filesystem::path dir, int64_t base_offset, file log);
  void note_batch(uint64_t position, int64_t last_offset, int64_t max_timestamp, uint64_t size,
                  uint32_t index_interval_bytes);
  // Adds to `index` a last entry for the largest timestamp if it does not end with it.
  void seal(time_index& index) const;
  // Reads and decodes the batch header at `position` (not the records, no CRC check).
  static std::optional<protocol::batch_header> read_header(const file& log, uint64_t position);

  std::filesystem::path _dir;
  int64_t _base_offset;
  cached_file _log;
  offset_index _index;
  time_index _time_index;
  uint64_t _size = 0;
  std::atomic<uint64_t> _synced_size{0};
  int64_t _next_offset;
  int64_t _max_timestamp = -1;
  int64_t _offset_of_max_timestamp = -1;
  uint64_t _bytes_since_index_entry = 0;
  int64_t _roll_base_ms = -1;
};

}  // namespace brook::storage
