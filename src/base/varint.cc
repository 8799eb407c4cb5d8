#include "base/varint.h"

namespace brook::varint {

void append(std::string& out, int64_t v) {
  auto u = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  while (u >= 0x80) {
    out.push_back(static_cast<char>((u & 0x7F) | 0x80));
    u >>= 7;
  }
  out.push_back(static_cast<char>(u));
}

std::optional<int64_t> read(std::span<const std::byte>& in) {
  uint64_t u = 0;
  for (size_t i = 0; i < in.size() && i < 10; ++i) {
    auto b = static_cast<uint8_t>(in[i]);
    u |= static_cast<uint64_t>(b & 0x7F) << (7 * i);
    if ((b & 0x80) == 0) {
      in = in.subspan(i + 1);
      return static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
    }
  }
  return std::nullopt;
}

size_t size(int64_t v) {
  auto u = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  size_t n = 1;
  while (u >= 0x80) {
    u >>= 7;
    ++n;
  }
  return n;
}

}  // namespace brook::varint
