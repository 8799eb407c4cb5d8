// Builds Kafka wire bytes: a growable buffer plus, for record data that lives in segment
// files, a list of file slices to be sent (sendfile) at recorded buffer positions. The
// bytes on the wire are buffer[0, at_1) file_1 buffer[at_1, at_2) file_2 ... buffer[at_n, end).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/record_data.h"
#include "protocol/uuid.h"

namespace brook::protocol {

class wire_writer {
 public:
  struct splice {
    size_t at = 0;  // buffer position the file bytes go before
    file_slice slice;
  };

  void write_bool(bool v) { write_int8(v ? 1 : 0); }
  void write_int8(int8_t v);
  void write_int16(int16_t v);
  void write_int32(int32_t v);
  void write_int64(int64_t v);
  void write_uint16(uint16_t v);
  void write_uint32(uint32_t v);
  void write_float64(double v);
  void write_uuid(const uuid& v);
  void write_uvarint(uint32_t v);
  void write_varint(int32_t v);
  void write_varlong(int64_t v);

  void write_string(std::string_view v, bool compact);
  void write_null_string(bool compact);
  void write_bytes(std::span<const std::byte> v, bool compact);
  void write_bytes(const std::vector<std::byte>& v, bool compact) {
    write_bytes(std::span<const std::byte>(v), compact);
  }
  void write_null_bytes(bool compact);
  // Length prefix, the memory bytes, then the file slices (spliced, not copied).
  void write_records(const record_data& v, bool compact);
  void write_array_length(size_t n, bool compact);
  void write_null_array(bool compact);
  // A tagged field's value: uvarint size, then the bytes (and splices) of `value`.
  void write_tagged_value(const wire_writer& value);
  void write_raw(std::span<const std::byte> bytes);

  // Overwrites 4 bytes at `position` (a length prefix reserved earlier).
  void patch_int32(size_t position, int32_t v);

  size_t buffer_size() const { return _buf.size(); }
  // Bytes on the wire: buffer plus spliced files.
  size_t total_size() const { return _buf.size() + _spliced; }
  std::span<const std::byte> buffer() const { return _buf; }
  const std::vector<splice>& splices() const { return _splices; }
  std::vector<std::byte> take_buffer() { return std::move(_buf); }
  std::vector<splice> take_splices() { return std::move(_splices); }

 private:
  std::vector<std::byte> _buf;
  std::vector<splice> _splices;
  size_t _spliced = 0;
};

}  // namespace brook::protocol
