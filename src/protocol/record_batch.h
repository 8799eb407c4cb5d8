// Kafka record batch v2 (magic 2): the unit Brook stores, exactly as a producer sent it.
// The byte layout is written out in doc/formats/record-batch.md; offsets of each header
// field are the constants below.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <tuple>
#include <vector>

#include "base/result.h"
#include "protocol/compression.h"

namespace brook::protocol {

namespace batch_layout {
constexpr size_t base_offset = 0;              // int64
constexpr size_t batch_length = 8;             // int32, bytes after this field
constexpr size_t partition_leader_epoch = 12;  // int32
constexpr size_t magic = 16;                   // int8, 2
constexpr size_t crc = 17;                     // uint32, CRC-32C of attributes..end
constexpr size_t attributes = 21;              // int16
constexpr size_t last_offset_delta = 23;       // int32
constexpr size_t base_timestamp = 27;          // int64
constexpr size_t max_timestamp = 35;           // int64
constexpr size_t producer_id = 43;             // int64
constexpr size_t producer_epoch = 51;          // int16
constexpr size_t base_sequence = 53;           // int32
constexpr size_t records_count = 57;           // int32
constexpr size_t header_size = 61;             // records follow
constexpr size_t length_prefix = 12;           // base offset + batch length
constexpr int8_t current_magic = 2;
}  // namespace batch_layout

enum class batch_errc {
  truncated = 1,     // fewer bytes than the header or the batch length says
  bad_length,        // batch length below the header size
  too_large,         // batch length above the caller's limit
  bad_magic,         // magic is not 2
  bad_crc,           // CRC-32C does not match
  bad_offset_delta,  // last offset delta negative, or records count inconsistent
  bad_compression,   // compression codec 5..7
  bad_records,       // the records do not parse, or do not fill the batch exactly
};
const std::error_category& batch_category();
std::error_code make_error_code(batch_errc e);

// The fixed header of one batch, decoded. A view: the bytes stay where they are.
struct batch_header {
  int64_t base_offset = 0;
  int32_t batch_length = 0;
  int32_t partition_leader_epoch = 0;
  int8_t magic = 0;
  uint32_t crc = 0;
  int16_t attributes = 0;
  int32_t last_offset_delta = 0;
  int64_t base_timestamp = 0;
  int64_t max_timestamp = 0;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
  int32_t records_count = 0;

  size_t total_size() const {
    return batch_layout::length_prefix + static_cast<size_t>(batch_length);
  }
  int64_t last_offset() const { return base_offset + last_offset_delta; }
  compression codec() const { return static_cast<compression>(attributes & 0x7); }
  bool log_append_time() const { return (attributes & 0x8) != 0; }
  bool transactional() const { return (attributes & 0x10) != 0; }
  bool control() const { return (attributes & 0x20) != 0; }

  // Decodes the header at the front of `bytes` (at least header_size bytes).
  static batch_header decode(std::span<const std::byte> bytes);
};

// Checks the batch at the front of `bytes`: the length fits in `bytes` and in
// [header_size, max_size], magic 2, a known codec, a sane offset delta, and the CRC.
// Returns the decoded header.
// `origin` says whose batch it is: a producer's holds exactly last_offset_delta + 1
// records; a stored one may hold fewer, even none (the log cleaner removed some:
// filter_batch, empty_batch).
enum class batch_origin { producer, stored };
result<batch_header> validate_batch(std::span<const std::byte> bytes, size_t max_size,
                                    batch_origin origin = batch_origin::producer);
// The same checks on the fixed header alone (`header` holds at least header_size bytes),
// all but the CRC and whether the rest of the batch is there: for a caller that checks
// the CRC as it streams a large batch (crc32c::extend over attributes..end).
result<batch_header> validate_batch_header(std::span<const std::byte> header, size_t max_size,
                                           batch_origin origin = batch_origin::producer);

// Computes the CRC-32C a batch should carry (over attributes..end).
uint32_t compute_batch_crc(std::span<const std::byte> batch);

// Writes `base_offset` into the batch header in place (not covered by the CRC).
void set_base_offset(std::span<std::byte> batch, int64_t base_offset);

// Marks the batch as LogAppendTime with `timestamp` as its max timestamp and updates the
// CRC: the broker-side rewrite Kafka does for message.timestamp.type=LogAppendTime.
void set_log_append_time(std::span<std::byte> batch, int64_t timestamp);

// One header of a record. The key is a string, never null; the value may be null.
struct record_header {
  std::string key;
  std::string value;
  bool null_value = false;

  // A header also binds as a (key, value) pair: `for (const auto& [k, v] : r.headers)`.
  // A null value reads as "" there; look at `null_value` to tell them apart.
  template <size_t I>
  const std::string& get() const {
    static_assert(I < 2);
    return I == 0 ? key : value;
  }
  template <size_t I>
  std::string& get() {
    static_assert(I < 2);
    return I == 0 ? key : value;
  }
};

// One record of a batch, decoded, or to build a batch from (tests, benchmarks, tools).
struct record {
  std::string key;
  std::string value;
  std::vector<record_header> headers;
  int64_t timestamp_delta = 0;  // record time minus the batch's base timestamp
  bool null_key = false;
  bool null_value = false;
  // Record offset minus the batch's base offset, as decoded. build_batch ignores it and
  // writes the record's index: a producer's batch has no offset gaps.
  int32_t offset_delta = 0;
};

// Builds a v2 batch with base offset 0, the records compressed with `codec` as one block
// (attributes bits 0-2 say which), and a correct CRC. The max timestamp is the largest
// record timestamp. Fails if the codec fails or the batch would pass INT32_MAX bytes
// (`too_large`).
result<std::string> build_batch(std::span<const record> records, int64_t base_timestamp,
                                compression codec, int64_t producer_id = -1,
                                int16_t producer_epoch = -1, int32_t base_sequence = -1);

// The batch at the front of `batch` (checked by validate_batch) with only the records
// `kept` (decoded from it by decode_records, in order, at least one): the log cleaner's
// rewrite. Everything that names the batch stays: base offset, last offset delta (so the
// batch's last offset, which producer state follows, is unchanged), attributes and codec,
// base timestamp, producer id, epoch and base sequence; each record keeps its offset and
// timestamp deltas. The records count, the max timestamp (unless LogAppendTime), the
// length and the CRC are recomputed.
result<std::string> filter_batch(std::span<const std::byte> batch, std::span<const record> kept);
// The batch at the front of `batch` with no records left (Kafka's empty batch, which its
// cleaner writes for an idempotent producer's last batch): the header alone, uncompressed,
// with the same base offset, last offset delta, producer id, epoch and base sequence, and
// both timestamps set to the batch's max timestamp.
std::string empty_batch(std::span<const std::byte> batch);

// Builds an uncompressed v2 batch, as above.
std::string build_batch(std::span<const record> records, int64_t base_timestamp,
                        int64_t producer_id = -1, int16_t producer_epoch = -1,
                        int32_t base_sequence = -1);

// The default limit on the decompressed records of one batch for decode_records: far above
// any batch a producer sends within max.message.bytes, low enough to refuse a bomb.
constexpr size_t default_max_records_size = size_t{64} << 20;

// The records of the batch at the front of `batch`, decompressed first when the codec is
// not none (`max_records_size` bounds the decompressed bytes: compression_errc::too_large
// above it). The header must be sane (length, magic 2, codec 0-4); the CRC is not checked
// here (validate_batch does that). The records must parse exactly: `records count` of
// them, filling the (decompressed) records bytes with nothing left over, else bad_records.
result<std::vector<record>> decode_records(std::span<const std::byte> batch,
                                           size_t max_records_size = default_max_records_size);

}  // namespace brook::protocol

template <>
struct std::is_error_code_enum<brook::protocol::batch_errc> : std::true_type {};

// record_header binds as a (key, value) pair.
template <>
struct std::tuple_size<brook::protocol::record_header> : std::integral_constant<size_t, 2> {};
template <size_t I>
struct std::tuple_element<I, brook::protocol::record_header> {
  using type = std::string;
};
