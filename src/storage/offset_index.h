// offset_index: the sparse map from offset to file position of one segment, Kafka's
// `.index` format: 8-byte entries, each a big-endian int32 offset relative to the segment's
// base offset and a big-endian int32 byte position in the `.log` file of the batch that
// starts there. Entries rise strictly in both fields. See doc/formats/index.md.
//
// The index lives in memory; the file is written whole when the segment rolls or closes,
// and is rebuilt from the log whenever it does not check out on open.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "base/result.h"

namespace brook::storage {

class offset_index {
 public:
  static constexpr size_t entry_size = 8;
  struct entry {
    int32_t relative_offset = 0;
    uint32_t position = 0;
  };

  // Adds an entry; both fields must be above the last entry's.
  void add(int32_t relative_offset, uint32_t position);
  // The last entry at or before `relative_offset`, or {0, 0} when there is none.
  entry floor_offset(int32_t relative_offset) const;
  // The last entry whose position is at or before `position`, or {0, 0}.
  entry floor_position(uint64_t position) const;
  // Drops entries at or past `position` (after the log is truncated there).
  void truncate_to_position(uint64_t position);
  const std::vector<entry>& entries() const { return _entries; }
  bool empty() const { return _entries.empty(); }

  // The file's bytes for the entries.
  std::string encode() const;
  // Replaces the file with the entries and fdatasyncs it.
  status write(const std::filesystem::path& path) const;
  // Loads and checks the file: a whole number of entries, rising, every position below
  // `log_size`. Any other content is errc::bad_index (the caller rebuilds).
  static result<offset_index> load(const std::filesystem::path& path, uint64_t log_size);

 private:
  std::vector<entry> _entries;
};

}  // namespace brook::storage
