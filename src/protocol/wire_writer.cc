#include "protocol/wire_writer.h"

#include <bit>
#include <cstring>

#include "base/big_endian.h"

namespace brook::protocol {

namespace {
template <typename T>
void put(std::vector<std::byte>& buf, T v) {
  size_t at = buf.size();
  buf.resize(at + sizeof(T));
  be::store<T>(buf.data() + at, v);
}
}  // namespace

void wire_writer::write_int8(int8_t v) { _buf.push_back(static_cast<std::byte>(v)); }
void wire_writer::write_int16(int16_t v) { put(_buf, v); }
void wire_writer::write_int32(int32_t v) { put(_buf, v); }
void wire_writer::write_int64(int64_t v) { put(_buf, v); }
void wire_writer::write_uint16(uint16_t v) { put(_buf, v); }
void wire_writer::write_uint32(uint32_t v) { put(_buf, v); }
void wire_writer::write_float64(double v) { put(_buf, std::bit_cast<int64_t>(v)); }

void wire_writer::write_uuid(const uuid& v) {
  const auto* p = reinterpret_cast<const std::byte*>(v.bytes.data());
  _buf.insert(_buf.end(), p, p + v.bytes.size());
}

void wire_writer::write_uvarint(uint32_t v) {
  while (v >= 0x80) {
    _buf.push_back(static_cast<std::byte>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  _buf.push_back(static_cast<std::byte>(v));
}

void wire_writer::write_varint(int32_t v) {
  write_uvarint((static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31));
}

void wire_writer::write_varlong(int64_t v) {
  uint64_t u = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  while (u >= 0x80) {
    _buf.push_back(static_cast<std::byte>((u & 0x7f) | 0x80));
    u >>= 7;
  }
  _buf.push_back(static_cast<std::byte>(u));
}

void wire_writer::write_string(std::string_view v, bool compact) {
  if (compact) {
    write_uvarint(static_cast<uint32_t>(v.size() + 1));
  } else {
    write_int16(static_cast<int16_t>(v.size()));
  }
  const auto* p = reinterpret_cast<const std::byte*>(v.data());
  _buf.insert(_buf.end(), p, p + v.size());
}

void wire_writer::write_null_string(bool compact) {
  if (compact) {
    write_uvarint(0);
  } else {
    write_int16(-1);
  }
}

void wire_writer::write_bytes(std::span<const std::byte> v, bool compact) {
  if (compact) {
    write_uvarint(static_cast<uint32_t>(v.size() + 1));
  } else {
    write_int32(static_cast<int32_t>(v.size()));
  }
  _buf.insert(_buf.end(), v.begin(), v.end());
}

void wire_writer::write_null_bytes(bool compact) {
  if (compact) {
    write_uvarint(0);
  } else {
    write_int32(-1);
  }
}

void wire_writer::write_records(const record_data& v, bool compact) {
  if (v.is_null) {
    write_null_bytes(compact);
    return;
  }
  size_t n = v.size();
  if (compact) {
    write_uvarint(static_cast<uint32_t>(n + 1));
  } else {
    write_int32(static_cast<int32_t>(n));
  }
  _buf.insert(_buf.end(), v.memory.begin(), v.memory.end());
  for (const auto& f : v.files) {
    if (f.length > 0) {
      _splices.push_back({_buf.size(), f});
      _spliced += static_cast<size_t>(f.length);
    }
  }
}

void wire_writer::write_array_length(size_t n, bool compact) {
  if (compact) {
    write_uvarint(static_cast<uint32_t>(n + 1));
  } else {
    write_int32(static_cast<int32_t>(n));
  }
}

void wire_writer::write_null_array(bool compact) {
  if (compact) {
    write_uvarint(0);
  } else {
    write_int32(-1);
  }
}

void wire_writer::write_tagged_value(const wire_writer& value) {
  write_uvarint(static_cast<uint32_t>(value.total_size()));
  size_t base = _buf.size();
  _buf.insert(_buf.end(), value._buf.begin(), value._buf.end());
  for (const auto& s : value._splices) {
    _splices.push_back({base + s.at, s.slice});
  }
  _spliced += value._spliced;
}

void wire_writer::write_raw(std::span<const std::byte> bytes) {
  _buf.insert(_buf.end(), bytes.begin(), bytes.end());
}

void wire_writer::patch_int32(size_t position, int32_t v) {
  be::store<int32_t>(_buf.data() + position, v);
}

}  // namespace brook::protocol
