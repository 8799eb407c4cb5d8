// A Kafka UUID (topic ids): 16 bytes on the wire, all zero meaning "none".
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace brook::protocol {

struct uuid {
  std::array<uint8_t, 16> bytes{};

  bool is_zero() const {
    for (uint8_t b : bytes) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }
  bool operator==(const uuid&) const = default;

  // A random version-4 UUID from the system's random source.
  static uuid random();
  // Kafka's text form: URL-safe base64 without padding (22 characters).
  std::string to_base64() const;
};

}  // namespace brook::protocol
