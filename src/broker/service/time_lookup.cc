#include "broker/service/time_lookup.h"

#include <unistd.h>

#include <vector>

#include "protocol/record_batch.h"

namespace brook::broker {

std::pair<int64_t, int64_t> record_offset_for_time(const storage::partition_log& log,
                                                   int64_t target) {
  auto base = log.offset_for_timestamp(target);
  if (!base) {
    return {-1, -1};
  }
  auto range = log.read(*base, 1);
  if (!range || range->length < protocol::batch_layout::header_size) {
    return {*base, target};
  }
  std::vector<std::byte> bytes(range->length);
  ssize_t n = ::pread(range->fd, bytes.data(), bytes.size(), static_cast<off_t>(range->position));
  if (n != static_cast<ssize_t>(bytes.size())) {
    return {*base, target};
  }
  auto header = protocol::batch_header::decode(bytes);
  auto records = protocol::decode_records(bytes);
  if (!records) {
    return {header.base_offset, header.max_timestamp};
  }
  for (const auto& r : *records) {
    int64_t offset = header.base_offset + r.offset_delta;
    int64_t ts =
        header.log_append_time() ? header.max_timestamp : header.base_timestamp + r.timestamp_delta;
    if (ts >= target && offset >= *base) {
      return {offset, ts};
    }
  }
  return {header.base_offset, header.max_timestamp};
}

}  // namespace brook::broker
