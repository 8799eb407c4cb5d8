#include "storage/offset_index.h"

#include <algorithm>
#include <string>

#include "base/big_endian.h"
#include "base/file.h"
#include "storage/errc.h"

namespace brook::storage {

void offset_index::add(int32_t relative_offset, uint32_t position) {
  BROOK_ASSERT(_entries.empty() || (relative_offset > _entries.back().relative_offset &&
                                    position > _entries.back().position),
               "offset index entries must rise");
  _entries.push_back({relative_offset, position});
}

offset_index::entry offset_index::floor_offset(int32_t relative_offset) const {
  auto it = std::upper_bound(_entries.begin(), _entries.end(), relative_offset,
                             [](int32_t v, const entry& e) { return v < e.relative_offset; });
  return it == _entries.begin() ? entry{} : *std::prev(it);
}

offset_index::entry offset_index::floor_position(uint64_t position) const {
  auto it = std::upper_bound(_entries.begin(), _entries.end(), position,
                             [](uint64_t v, const entry& e) { return v < e.position; });
  return it == _entries.begin() ? entry{} : *std::prev(it);
}

void offset_index::truncate_to_position(uint64_t position) {
  while (!_entries.empty() && _entries.back().position >= position) {
    _entries.pop_back();
  }
}

std::string offset_index::encode() const {
  std::string bytes(_entries.size() * entry_size, '\0');
  auto* p = reinterpret_cast<std::byte*>(bytes.data());
  for (const auto& e : _entries) {
    be::store<int32_t>(p, e.relative_offset);
    be::store<uint32_t>(p + 4, e.position);
    p += entry_size;
  }
  return bytes;
}

status offset_index::write(const std::filesystem::path& path) const {
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

result<offset_index> offset_index::load(const std::filesystem::path& path, uint64_t log_size) {
  auto f = file::open(path, file::mode::read_only);
  if (!f) {
    return f.error();
  }
  auto size = f->size();
  if (!size) {
    return size.error();
  }
  if (*size % entry_size != 0) {
    return errc::bad_index;
  }
  std::vector<std::byte> bytes(*size);
  auto n = f->read_at(0, bytes);
  if (!n || *n != bytes.size()) {
    return n ? std::error_code(errc::bad_index) : n.error();
  }
  offset_index index;
  index._entries.reserve(bytes.size() / entry_size);
  for (size_t i = 0; i < bytes.size(); i += entry_size) {
    entry e{be::load<int32_t>(&bytes[i]), be::load<uint32_t>(&bytes[i + 4])};
    bool rises =
        index._entries.empty() || (e.relative_offset > index._entries.back().relative_offset &&
                                   e.position > index._entries.back().position);
    if (e.relative_offset < 0 || e.position >= log_size || !rises) {
      return errc::bad_index;
    }
    index._entries.push_back(e);
  }
  return index;
}

}  // namespace brook::storage
