#include "storage/offset_map.h"

#include <xxhash.h>

#include <bit>

namespace brook::storage {
namespace {

constexpr size_t min_slots = 16;

}  // namespace

offset_map::offset_map(size_t max_bytes)
    : _max_slots(std::max(min_slots, std::bit_floor(std::max<size_t>(1, max_bytes / slot_bytes)))) {
}

size_t offset_map::find(uint64_t low, uint64_t high) const {
  size_t mask = _slots.size() - 1;
  for (size_t i = low & mask;; i = (i + 1) & mask) {
    const slot& s = _slots[i];
    if (s.offset < 0 || (s.low == low && s.high == high)) {
      return i;
    }
  }
}

void offset_map::grow() {
  std::vector<slot> old = std::move(_slots);
  _slots.assign(old.empty() ? min_slots : old.size() * 2, slot{});
  for (const slot& s : old) {
    if (s.offset >= 0) {
      _slots[find(s.low, s.high)] = s;
    }
  }
}

bool offset_map::put(std::string_view key, int64_t offset) {
  XXH128_hash_t d = XXH3_128bits(key.data(), key.size());
  if (_slots.empty()) {
    grow();
  }
  size_t i = find(d.low64, d.high64);
  if (_slots[i].offset < 0) {
    if (_size >= capacity()) {
      return false;
    }
    // Keep the table at most 3/4 full: grow first when this key would pass that.
    if ((_size + 1) * 4 > _slots.size() * 3) {
      grow();
      i = find(d.low64, d.high64);
    }
    ++_size;
  }
  _slots[i] = slot{d.low64, d.high64, offset};
  return true;
}

std::optional<int64_t> offset_map::get(std::string_view key) const {
  if (_slots.empty()) {
    return std::nullopt;
  }
  XXH128_hash_t d = XXH3_128bits(key.data(), key.size());
  const slot& s = _slots[find(d.low64, d.high64)];
  if (s.offset < 0) {
    return std::nullopt;
  }
  return s.offset;
}

void offset_map::clear() {
  _slots = {};
  _size = 0;
}

}  // namespace brook::storage
