#include "storage/time_index.h"

#include <algorithm>
#include <string>

#include "base/big_endian.h"
#include "base/file.h"
#include "storage/errc.h"

namespace brook::storage {

void time_index::add(int64_t timestamp, int32_t relative_offset) {
  BROOK_ASSERT(_entries.empty() || (timestamp > _entries.back().timestamp &&
                                    relative_offset >= _entries.back().relative_offset),
               "time index entries must rise");
  _entries.push_back({timestamp, relative_offset});
}

const time_index::entry* time_index::floor_below(int64_t timestamp) const {
  auto it = std::lower_bound(_entries.begin(), _entries.end(), timestamp,
                             [](const entry& e, int64_t v) { return e.timestamp < v; });
  return it == _entries.begin() ? nullptr : &*std::prev(it);
}

void time_index::truncate_to_offset(int32_t relative_offset) {
  while (!_entries.empty() && _entries.back().relative_offset >= relative_offset) {
    _entries.pop_back();
  }
}

std::string time_index::encode() const {
  std::string bytes(_entries.size() * entry_size, '\0');
  auto* p = reinterpret_cast<std::byte*>(bytes.data());
  for (const auto& e : _entries) {
    be::store<int64_t>(p, e.timestamp);
    be::store<int32_t>(p + 8, e.relative_offset);
    p += entry_size;
  }
  return bytes;
}

status time_index::write(const std::filesystem::path& path) const {
  std::string bytes = encode();
  auto f = file::open(path, file::mode::create_read_write);
  if (!f) {
    return f.error();
  }
  if (auto s = f->truncate(0); !s) {
    return s;
  }
  if (auto s = f->write_at(0, std::as_bytes(std::span(bytes))); !s) {
    return s;
  }
  return f->datasync();
}

result<time_index> time_index::load(const std::filesystem::path& path,
                                    int64_t max_relative_offset) {
  auto f = file::open(path, file::mode::read_only);
  if (!f) {
    return f.error();
  }
  auto size = f->size();
  if (!size) {
    return size.error();
  }
  if (*size % entry_size != 0 ||
      *size / entry_size > static_cast<uint64_t>(max_relative_offset) + 1) {
    return errc::bad_index;
  }
  std::vector<std::byte> bytes(*size);
  auto n = f->read_at(0, bytes);
  if (!n || *n != bytes.size()) {
    return n ? std::error_code(errc::bad_index) : n.error();
  }
  time_index index;
  index._entries.reserve(bytes.size() / entry_size);
  for (size_t i = 0; i < bytes.size(); i += entry_size) {
    entry e{be::load<int64_t>(&bytes[i]), be::load<int32_t>(&bytes[i + 8])};
    bool rises =
        index._entries.empty() || (e.timestamp > index._entries.back().timestamp &&
                                   e.relative_offset >= index._entries.back().relative_offset);
    if (e.relative_offset < 0 || e.relative_offset > max_relative_offset || !rises) {
      return errc::bad_index;
    }
    index._entries.push_back(e);
  }
  return index;
}

}  // namespace brook::storage
