// CRC-32C (Castagnoli, polynomial 0x1EDC6F41, reflected), the checksum of Kafka record
// batches v2. Uses the SSE4.2 crc32 instruction when the CPU has it, a table otherwise.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace brook::crc32c {

// Extends `crc` (the value returned for the bytes before `data`; 0 to start) over `data`.
uint32_t extend(uint32_t crc, std::span<const std::byte> data);

inline uint32_t value(std::span<const std::byte> data) {
  return extend(0, data);
}

// The portable path, always available; `extend` picks the fastest path at start-up.
uint32_t extend_portable(uint32_t crc, std::span<const std::byte> data);

// True when `extend` uses the CPU's crc32 instruction.
bool hardware_accelerated();

}  // namespace brook::crc32c
