#include "protocol/uuid.h"

#include <random>

namespace brook::protocol {

uuid uuid::random() {
  static thread_local std::random_device device;
  uuid id;
  for (size_t i = 0; i < id.bytes.size(); i += 4) {
    uint32_t r = device();
    for (size_t j = 0; j < 4; ++j) {
      id.bytes[i + j] = static_cast<uint8_t>(r >> (8 * j));
    }
  }
  id.bytes[6] = static_cast<uint8_t>((id.bytes[6] & 0x0f) | 0x40);  // version 4
  id.bytes[8] = static_cast<uint8_t>((id.bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
  return id;
}

std::string uuid::to_base64() const {
  static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (uint8_t b : bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(alphabet[(acc >> bits) & 0x3f]);
    }
  }
  if (bits > 0) {
    out.push_back(alphabet[(acc << (6 - bits)) & 0x3f]);
  }
  return out;
}

}  // namespace brook::protocol
