// log_reader: the local backend's reads of a partition log: the records from an offset,
// decoded from the log's batches, as a read_committed consumer sees them (control batches
// and aborted transactions skipped, nothing past the last stable offset), for fetch and for the
// consumer sessions.
#pragma once

#include <cstdint>
#include <system_error>
#include <vector>

#include "backend/event_backend.h"

namespace brook::storage {
class partition_log;
}

namespace brook::backend {

// What one read of a partition found, and the offset the next read starts from (past
// control batches too).
struct read_result {
  std::vector<fetched_record> records;
  int64_t next_offset = 0;
  // Where a reader waiting for more should wait (wait_for_data): next_offset, or, when an
  // open transaction held the read back below the high watermark, that high watermark
  // (more comes when it moves: the transaction's marker).
  int64_t wait_from = 0;
};

// The records of the partition from req.offset, up to about req.max_bytes of keys, values
// and headers (at least one record if there is any). offset_out_of_range outside
// [log start, high watermark].
outcome<read_result> read_records(const storage::partition_log& log, const fetch_request& req);

// A storage error as the backend reports it.
backend_error from_storage(const std::error_code& ec);

}  // namespace brook::backend
