#include "backend/log_reader.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <span>

#include "broker/error_mapping.h"
#include "protocol/record_batch.h"
#include "storage/partition_log.h"

namespace brook::backend {

namespace {
using protocol::kafka_error;
namespace layout = protocol::batch_layout;

// The most bytes of the log read into memory at once.
constexpr size_t max_read_chunk = size_t{16} << 20;

size_t record_bytes(const protocol::record& r) {
  size_t n = r.key.size() + r.value.size();
  for (const auto& h : r.headers) {
    n += h.key.size() + h.value.size();
  }
  return n;
}

fetched_record to_fetched(int32_t partition, const protocol::batch_header& h, int64_t offset,
                          protocol::record&& r) {
  fetched_record f;
  f.partition = partition;
  f.offset = offset;
  f.log_append_time = h.log_append_time();
  f.timestamp_ms = f.log_append_time ? h.max_timestamp : h.base_timestamp + r.timestamp_delta;
  if (!r.null_key) {
    f.key = std::move(r.key);
  }
  if (!r.null_value) {
    f.value = std::move(r.value);
  }
  f.headers = std::move(r.headers);
  return f;
}

std::error_code pread_all(int fd, std::span<std::byte> out, uint64_t position) {
  while (!out.empty()) {
    ssize_t n = ::pread(fd, out.data(), out.size(), static_cast<off_t>(position));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return n < 0 ? std::error_code(errno, std::generic_category())
                   : std::make_error_code(std::errc::io_error);
    }
    out = out.subspan(static_cast<size_t>(n));
    position += static_cast<uint64_t>(n);
  }
  return {};
}

backend_error read_error(const std::error_code& ec, const storage::partition_log& log,
                         const fetch_request& req) {
  auto e = from_storage(ec);
  if (e.code == kafka_error::offset_out_of_range) {
    e.message = "Offset " + std::to_string(req.offset) + " is out of range for partition " +
                std::to_string(req.partition) + " of topic '" + req.topic +
                "': its offsets run from " + std::to_string(log.log_start_offset()) + " to " +
                std::to_string(log.high_watermark());
  }
  return e;
}

}  // namespace

backend_error from_storage(const std::error_code& ec) {
  return {broker::to_kafka_error(ec), ec.message()};
}

// The records of the partition from req.offset, up to about req.max_bytes of keys, values
// and headers (at least one record if there is any), committed ones only (read_committed):
// control batches and aborted transactions skipped.
outcome<read_result> read_records(const storage::partition_log& log, const fetch_request& req) {
  read_result out;
  out.next_offset = req.offset;
  // Read before the records: a marker appended after it moves it, and wakes the waiter.
  const int64_t high_watermark = log.high_watermark();
  size_t collected = 0;
  bool full = false;
  // Not zeroed first (pread fills it): a vector's resize() was a tenth of a sink's time.
  std::unique_ptr<std::byte[]> buffer;
  size_t capacity = 0;
  while (!full) {
    std::vector<storage::aborted_txn> aborted;
    auto range = log.read(out.next_offset, std::clamp(req.max_bytes, size_t{1}, max_read_chunk),
                          storage::partition_log::oversized_first_batch::returned,
                          storage::isolation::read_committed, &aborted);
    if (!range || range->length == 0) {
      if (!range && out.records.empty()) {
        return read_error(range.error(), log, req);
      }
      break;
    }
    if (range->length > capacity) {
      buffer = std::make_unique_for_overwrite<std::byte[]>(range->length);
      capacity = range->length;
    }
    std::span<std::byte> bytes(buffer.get(), range->length);
    if (auto ec = pread_all(range->fd, bytes, range->position)) {
      if (out.records.empty()) {
        return from_storage(ec);
      }
      break;
    }
    std::span<const std::byte> rest(bytes);
    const int64_t started_at = out.next_offset;
    while (!full && rest.size() >= layout::header_size) {
      auto h = protocol::batch_header::decode(rest);
      if (h.batch_length < 0 || h.total_size() > rest.size()) {
        break;
      }
      auto batch = rest.first(h.total_size());
      rest = rest.subspan(h.total_size());
      log.traffic().bytes_out.add(batch.size());  // handed to a REST or backend consumer
      if (!h.control() && !storage::in_aborted(aborted, h)) {
        auto records = protocol::decode_records(batch);
        if (!records) {
          if (out.records.empty()) {
            return backend_error{kafka_error::corrupt_message,
                                 "The batch at offset " + std::to_string(h.base_offset) +
                                     " cannot be decoded: " + records.error().message()};
          }
          break;
        }
        for (auto& r : *records) {
          const int64_t offset = h.base_offset + r.offset_delta;
          if (offset < req.offset) {
            continue;
          }
          const size_t size = record_bytes(r);
          if (!out.records.empty() && collected + size > req.max_bytes) {
            full = true;
            break;
          }
          collected += size;
          out.records.push_back(to_fetched(req.partition, h, offset, std::move(r)));
          out.next_offset = offset + 1;
        }
      }
      if (!full) {
        out.next_offset = std::max(out.next_offset, h.last_offset() + 1);
        full = !out.records.empty() && collected >= req.max_bytes;
      }
    }
    if (out.next_offset == started_at) {
      break;  // nothing whole in the range: the log hands out whole batches, so never
    }
  }
  out.wait_from = std::max(out.next_offset, out.records.empty() ? high_watermark : 0);
  return out;
}

}  // namespace brook::backend
