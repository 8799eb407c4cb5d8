// time_index: the sparse map from timestamp to offset of one segment, Kafka's `.timeindex`
// format: 12-byte entries, each a big-endian int64 timestamp (ms) and a big-endian int32
// offset relative to the segment's base offset. Timestamps rise strictly: an entry is
// added only when a batch raises the segment's largest timestamp. See
// doc/formats/index.md. Kept in memory; written whole on roll and close.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "base/result.h"

namespace brook::storage {

class time_index {
 public:
  static constexpr size_t entry_size = 12;
  struct entry {
    int64_t timestamp = 0;
    int32_t relative_offset = 0;
  };

  void add(int64_t timestamp, int32_t relative_offset);
  // The last entry with a timestamp below `timestamp`, or nullopt: a scan for the first
  // batch at or after `timestamp` can start at its offset.
  const entry* floor_below(int64_t timestamp) const;
  void truncate_to_offset(int32_t relative_offset);
  const std::vector<entry>& entries() const { return _entries; }
  const entry* last() const { return _entries.empty() ? nullptr : &_entries.back(); }

  // The file's bytes for the entries.
  std::string encode() const;
  // Replaces the file with the entries and fdatasyncs it.
  status write(const std::filesystem::path& path) const;
  // Loads and checks: whole entries, timestamps and offsets rising, offsets within
  // [0, max_relative_offset]. Anything else is errc::bad_index.
  static result<time_index> load(const std::filesystem::path& path, int64_t max_relative_offset);

 private:
  std::vector<entry> _entries;
};

}  // namespace brook::storage
