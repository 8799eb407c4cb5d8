// offset_map: the log cleaner's map from a key to the offset of its newest record, as
// Kafka's SkimpyOffsetMap keeps it: each key as a 128-bit digest (XXH3-128), in an
// open-addressing table that grows up to a memory limit (storage.log_cleaner_map_bytes)
// and then is full, so that a partition with more keys than fit is cleaned in several
// rounds instead of taking unbounded memory. Two keys with the same digest would count as
// one; for n keys the chance of any such pair is about n^2 / 2^129 (Kafka accepts the same
// with MD5 digests).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace brook::storage {

class offset_map {
 public:
  // Bytes per entry: a 16-byte digest and an 8-byte offset.
  static constexpr size_t slot_bytes = 24;
  // Kafka's log.cleaner.dedupe.buffer.size.
  static constexpr size_t default_max_bytes = size_t{128} << 20;

  // A map that never uses more than `max_bytes` for its table (at least one slot's worth
  // of entries: 16 slots).
  explicit offset_map(size_t max_bytes = default_max_bytes);

  // How many keys it can hold at most: 3/4 of the largest table within the limit.
  size_t capacity() const { return _max_slots / 4 * 3; }
  size_t size() const { return _size; }
  // Sets `key`'s newest offset. A key already present is always updated; a new key is
  // refused (false, nothing changed) once size() == capacity().
  bool put(std::string_view key, int64_t offset);
  // The offset last put for `key`.
  std::optional<int64_t> get(std::string_view key) const;
  // Empties the map and gives its memory back.
  void clear();

 private:
  struct slot {
    uint64_t low = 0;
    uint64_t high = 0;
    int64_t offset = -1;  // -1: empty
  };
  size_t find(uint64_t low, uint64_t high) const;  // the slot of the digest, or an empty one
  void grow();

  size_t _max_slots;
  size_t _size = 0;
  std::vector<slot> _slots;  // a power of two long; empty until the first put
};

}  // namespace brook::storage
