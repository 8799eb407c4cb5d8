// Hex text for byte-exact wire tests: expected bytes written as "0001ff", encoded
// messages compared as text so a mismatch shows where.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/wire_writer.h"

namespace brook::test {

inline std::vector<std::byte> unhex(std::string_view hex) {
  std::vector<std::byte> out;
  auto digit = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<std::byte>(digit(hex[i]) * 16 + digit(hex[i + 1])));
  }
  return out;
}

inline std::string hex(std::span<const std::byte> bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (std::byte b : bytes) {
    out += digits[std::to_integer<int>(b) >> 4];
    out += digits[std::to_integer<int>(b) & 0xf];
  }
  return out;
}

// The bytes of a generated message encoded in `version`, as hex.
template <typename Message>
std::string encode_hex(const Message& m, int16_t version) {
  protocol::wire_writer w;
  m.encode(w, version);
  return hex(w.buffer());
}

}  // namespace brook::test
