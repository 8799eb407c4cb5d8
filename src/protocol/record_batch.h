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
#include <vector>

#include "base/result.h"

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

enum class compression : uint8_t { none = 0, gzip = 1, snappy = 2, lz4 = 3, zstd = 4 };
std::string_view compression_name(compression c);

enum class batch_errc {
  truncated = 1,     // fewer bytes than the header or the batch length says
  bad_length,        // batch length below the header size
  too_large,         // batch length above the caller's limit
  bad_magic,         // magic is not 2
  bad_crc,           // CRC-32C does not match
  bad_offset_delta,  // last offset delta negative, or records count inconsistent
  bad_compression,   // compression codec 5..7
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
result<batch_header> validate_batch(std::span<const std::byte> bytes, size_t max_size);

// Computes the CRC-32C a batch should carry (over attributes..end).
uint32_t compute_batch_crc(std::span<const std::byte> batch);

// Writes `base_offset` into the batch header in place (not covered by the CRC).
void set_base_offset(std::span<std::byte> batch, int64_t base_offset);

// Marks the batch as LogAppendTime with `timestamp` as its max timestamp and updates the
// CRC: the broker-side rewrite Kafka does for message.timestamp.type=LogAppendTime.
void set_log_append_time(std::span<std::byte> batch, int64_t timestamp);

// One record of an uncompressed batch, for building batches (tests, benchmarks, tools).
struct record {
  std::string key;
  std::string value;
  std::vector<std::pair<std::string, std::string>> headers;
  int64_t timestamp_delta = 0;
  bool null_key = false;
  bool null_value = false;
};

// Builds an uncompressed v2 batch with base offset 0 and a correct CRC.
std::string build_batch(std::span<const record> records, int64_t base_timestamp,
                        int64_t producer_id = -1, int16_t producer_epoch = -1,
                        int32_t base_sequence = -1);

// The records of an uncompressed batch, decoded; an error if they do not parse exactly.
result<std::vector<record>> decode_records(std::span<const std::byte> batch);

}  // namespace brook::protocol

template <>
struct std::is_error_code_enum<brook::protocol::batch_errc> : std::true_type {};
