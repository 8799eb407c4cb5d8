// Zig-zag variable-length integers (protobuf style), as used inside Kafka records.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace brook::varint {

// Appends the zig-zag varint encoding of `v` to `out`.
void append(std::string& out, int64_t v);

// Decodes a zig-zag varint at the front of `in` and advances `in` past it; nullopt when the
// input ends early or the encoding is longer than 10 bytes.
std::optional<int64_t> read(std::span<const std::byte>& in);

// Number of bytes `append` writes for `v`.
size_t size(int64_t v);

}  // namespace brook::varint
