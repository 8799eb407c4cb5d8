#include "protocol/wire_reader.h"

#include <bit>
#include <cstring>

#include "base/big_endian.h"

namespace brook::protocol {

const std::byte* wire_reader::take(size_t n) {
  if (_failed || _data.size() - _pos < n) {
    _failed = true;
    return nullptr;
  }
  const std::byte* p = _data.data() + _pos;
  _pos += n;
  return p;
}

int8_t wire_reader::read_int8() {
  const std::byte* p = take(1);
  return p ? static_cast<int8_t>(*p) : int8_t{0};
}
int16_t wire_reader::read_int16() {
  const std::byte* p = take(2);
  return p ? be::load<int16_t>(p) : int16_t{0};
}
int32_t wire_reader::read_int32() {
  const std::byte* p = take(4);
  return p ? be::load<int32_t>(p) : 0;
}
int64_t wire_reader::read_int64() {
  const std::byte* p = take(8);
  return p ? be::load<int64_t>(p) : 0;
}
uint16_t wire_reader::read_uint16() {
  const std::byte* p = take(2);
  return p ? be::load<uint16_t>(p) : uint16_t{0};
}
uint32_t wire_reader::read_uint32() {
  const std::byte* p = take(4);
  return p ? be::load<uint32_t>(p) : 0;
}
double wire_reader::read_float64() {
  return std::bit_cast<double>(static_cast<uint64_t>(read_int64()));
}
uuid wire_reader::read_uuid() {
  uuid id;
  if (const std::byte* p = take(16)) {
    std::memcpy(id.bytes.data(), p, 16);
  }
  return id;
}

uint32_t wire_reader::read_uvarint() {
  uint32_t value = 0;
  for (int shift = 0; shift <= 28; shift += 7) {
    const std::byte* p = take(1);
    if (!p) {
      return 0;
    }
    auto b = static_cast<uint8_t>(*p);
    if (shift == 28 && (b & 0xf0) != 0) {
      break;  // more than 32 bits
    }
    value |= static_cast<uint32_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      return value;
    }
  }
  _failed = true;
  return 0;
}

int32_t wire_reader::read_varint() {
  uint32_t u = read_uvarint();
  return static_cast<int32_t>((u >> 1) ^ (~(u & 1) + 1));
}

int64_t wire_reader::read_varlong() {
  uint64_t value = 0;
  for (int shift = 0; shift <= 63; shift += 7) {
    const std::byte* p = take(1);
    if (!p) {
      return 0;
    }
    auto b = static_cast<uint8_t>(*p);
    value |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      return static_cast<int64_t>((value >> 1) ^ (~(value & 1) + 1));
    }
  }
  _failed = true;
  return 0;
}

int64_t wire_reader::read_length(bool compact, bool wide) {
  if (compact) {
    uint32_t n = read_uvarint();
    return static_cast<int64_t>(n) - 1;
  }
  return wide ? read_int32() : read_int16();
}

bool wire_reader::next_is_null_string(bool compact) {
  wire_reader probe = *this;
  bool null = probe.read_length(compact, false) < 0 && !probe.failed();
  if (null) {
    *this = probe;
  }
  return null;
}

bool wire_reader::next_is_null_bytes(bool compact) {
  wire_reader probe = *this;
  bool null = probe.read_length(compact, true) < 0 && !probe.failed();
  if (null) {
    *this = probe;
  }
  return null;
}

void wire_reader::read_string(std::string& out, bool compact) {
  int64_t n = read_length(compact, false);
  if (n < 0) {
    _failed = true;
    return;
  }
  const std::byte* p = take(static_cast<size_t>(n));
  if (p) {
    out.assign(reinterpret_cast<const char*>(p), static_cast<size_t>(n));
  }
}

void wire_reader::read_bytes(std::vector<std::byte>& out, bool compact) {
  int64_t n = read_length(compact, true);
  if (n < 0) {
    _failed = true;
    return;
  }
  const std::byte* p = take(static_cast<size_t>(n));
  if (p) {
    out.assign(p, p + n);
  }
}

void wire_reader::read_records(record_data& out, bool compact) {
  int64_t n = read_length(compact, true);
  out.files.clear();
  if (_failed) {
    return;
  }
  if (n < 0) {
    out.is_null = true;
    out.memory = {};
    return;
  }
  const std::byte* p = take(static_cast<size_t>(n));
  if (p) {
    out.is_null = false;
    out.memory = std::span<const std::byte>(p, static_cast<size_t>(n));
  }
}

int64_t wire_reader::read_array_length(bool compact) {
  int64_t n = read_length(compact, true);
  if (!_failed && n > static_cast<int64_t>(remaining())) {
    _failed = true;  // every element takes at least one byte
  }
  return _failed ? 0 : n;
}

wire_reader wire_reader::sub_reader(size_t size) {
  const std::byte* p = take(size);
  wire_reader sub(p ? std::span<const std::byte>(p, size) : std::span<const std::byte>());
  if (!p) {
    sub._failed = true;
  }
  return sub;
}

std::span<const std::byte> wire_reader::read_raw(size_t size) {
  const std::byte* p = take(size);
  return p ? std::span<const std::byte>(p, size) : std::span<const std::byte>();
}

}  // namespace brook::protocol
