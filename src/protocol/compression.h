// The four record-batch codecs of Kafka (attributes bits 0-2 of a v2 batch), framed the
// way the Kafka clients frame them. The framings are written out in
// doc/formats/record-batch.md#compression:
//   gzip    a gzip stream (RFC 1952); concatenated members are accepted on input
//   snappy  xerial framing on output (what the Java client writes); raw snappy or xerial
//           framing on input (librdkafka and the Java client accept both)
//   lz4     one LZ4 frame (lz4frame.h) with the correct header checksum, 64 KiB
//           independent blocks on output, as the Java client writes for magic 2
//   zstd    zstd frames, decoded as a stream since the content size may be absent
// Errors are values; decompression never produces (or allocates for) more than the
// caller's `max_output` bytes, so a small batch cannot expand into a memory bomb.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <system_error>
#include <vector>

#include "base/result.h"

namespace brook::protocol {

// Codec ids as stored in attributes bits 0-2; 5-7 are invalid.
enum class compression : uint8_t { none = 0, gzip = 1, snappy = 2, lz4 = 3, zstd = 4 };
std::string_view compression_name(compression c);

enum class compression_errc {
  corrupt = 1,    // not a valid stream of the codec: garbage, truncated, bad checksum
  too_large,      // the decompressed data would exceed the caller's limit
  unsupported,    // codec id outside 0-4
  library_error,  // the codec library failed on valid input (out of memory)
};
const std::error_category& compression_category();
std::error_code make_error_code(compression_errc e);

// xerial snappy framing: this 8-byte magic, int32 version, int32 compatible version (both
// big-endian, 1), then repeated [int32 big-endian length][raw snappy block].
namespace xerial {
constexpr std::array<uint8_t, 8> magic = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0x00};
constexpr size_t header_size = 16;
constexpr int32_t version = 1;
constexpr int32_t compatible_version = 1;
constexpr size_t block_size = 32 * 1024;  // uncompressed bytes per block, as snappy-java
}  // namespace xerial

// Compresses `data` with `codec` (none: a copy).
result<std::vector<std::byte>> compress(compression codec, std::span<const std::byte> data);

// Decompresses all of `data`, which must be exactly one complete stream of `codec` (gzip
// members and zstd frames may be concatenated); trailing bytes are `corrupt`. Output
// above `max_output` bytes is `too_large`, detected before it is allocated.
result<std::vector<std::byte>> decompress(compression codec, std::span<const std::byte> data,
                                          size_t max_output);

}  // namespace brook::protocol

template <>
struct std::is_error_code_enum<brook::protocol::compression_errc> : std::true_type {};
