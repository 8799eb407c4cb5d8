// segment_scanner: reads a segment's `.log` file front to back, validating every batch
// (length, magic, CRC-32C, rising offsets), for recovery, index rebuilds and dump-log.
#pragma once

#include <cstdint>
#include <functional>
#include <system_error>

#include "base/file.h"
#include "protocol/record_batch.h"

namespace brook::storage {

struct scanned_batch {
  uint64_t position = 0;
  protocol::batch_header header;
};

struct scan_outcome {
  uint64_t valid_end = 0;    // position after the last valid batch
  int64_t last_offset = -1;  // last offset of the last valid batch, -1 if none
  std::error_code error;     // why the scan stopped before the end of the file, if it did
  // When it stopped early: true if what follows looks like an interrupted write (a batch
  // running past the end of the file, or only zero bytes), false if a whole batch is bad.
  bool torn_tail = false;
  bool io_error = false;  // reading the file failed: nothing should be cut
};

// Scans [start, file_size) of `log`. `previous_last_offset` is the last offset before
// `start` (-1 for none). Batches up to `max_batch_bytes` are accepted; a batch cut off by
// the end of the file counts as a torn write only up to `max_torn_bytes` (the largest
// batch a producer may send), so a corrupt length field mid-file is not mistaken for one.
// `on_batch` sees each valid batch in order.
scan_outcome scan_segment(const file& log, uint64_t start, uint64_t file_size,
                          int64_t previous_last_offset, size_t max_batch_bytes,
                          size_t max_torn_bytes,
                          const std::function<void(const scanned_batch&)>& on_batch);

}  // namespace brook::storage
