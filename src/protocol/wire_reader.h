// Reads Kafka wire primitives from a byte span. A read past the end, a negative length
// where none is allowed, or an overlong varint sets a sticky failure flag; later reads
// return zero values, so decoders check failed() once per field rather than per byte.
// Lengths and element counts are checked against the bytes left, so a hostile count can
// not make a decoder allocate more than the message itself.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "protocol/record_data.h"
#include "protocol/uuid.h"

namespace brook::protocol {

class wire_reader {
 public:
  explicit wire_reader(std::span<const std::byte> data) : _data(data) {}

  bool failed() const { return _failed; }
  void fail() { _failed = true; }
  size_t remaining() const { return _failed ? 0 : _data.size() - _pos; }
  size_t position() const { return _pos; }

  bool read_bool() { return read_int8() != 0; }
  int8_t read_int8();
  int16_t read_int16();
  int32_t read_int32();
  int64_t read_int64();
  uint16_t read_uint16();
  uint32_t read_uint32();
  double read_float64();
  uuid read_uuid();
  uint32_t read_uvarint();
  int32_t read_varint();
  int64_t read_varlong();

  // Strings, bytes and records: int16/int32 length (-1 null) or, when `compact`, a
  // uvarint length+1 (0 null).
  bool next_is_null_string(bool compact);
  bool next_is_null_bytes(bool compact);
  void read_string(std::string& out, bool compact);
  void read_bytes(std::vector<std::byte>& out, bool compact);
  // A view into the reader's bytes; is_null set for a null value.
  void read_records(record_data& out, bool compact);
  // Array element count: -1 for null; fails when the count exceeds the bytes left.
  int64_t read_array_length(bool compact);

  // The next `size` bytes as a reader of their own (tagged field values); this reader
  // moves past them.
  wire_reader sub_reader(size_t size);
  std::span<const std::byte> read_raw(size_t size);

 private:
  const std::byte* take(size_t n);
  int64_t read_length(bool compact, bool wide);

  std::span<const std::byte> _data;
  size_t _pos = 0;
  bool _failed = false;
};

}  // namespace brook::protocol
