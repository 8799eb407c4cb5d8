// The `records` field of Kafka messages: record batches of one partition. Decoded from a
// request it is a view into the request's bytes; in a response it may also name ranges
// of segment files, which the connection sends with sendfile after the memory bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace brook::protocol {

// A byte range of an open file, kept open by `owner` until it is sent.
struct file_slice {
  int fd = -1;
  int64_t position = 0;
  int64_t length = 0;
  std::shared_ptr<const void> owner;
};

struct record_data {
  bool is_null = true;
  std::span<const std::byte> memory;  // sent first
  std::vector<file_slice> files;      // sent after `memory`, in order

  size_t size() const {
    size_t n = memory.size();
    for (const auto& f : files) {
      n += static_cast<size_t>(f.length);
    }
    return n;
  }
  // Identity, not contents: two views are equal when they name the same bytes.
  bool operator==(const record_data& o) const {
    return is_null == o.is_null && memory.data() == o.memory.data() &&
           memory.size() == o.memory.size() && files.size() == o.files.size();
  }
};

}  // namespace brook::protocol
