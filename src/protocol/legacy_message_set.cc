#include "protocol/legacy_message_set.h"

#include <zlib.h>

#include <cstring>
#include <optional>
#include <vector>

#include "base/big_endian.h"

namespace brook::protocol {
namespace {

// Offsets in a message, after its offset and size prefix.
constexpr size_t crc_at = 0;
constexpr size_t magic_at = 4;
constexpr size_t attributes_at = 5;
constexpr size_t timestamp_at = 6;   // v1 only
constexpr size_t entry_prefix = 12;  // int64 offset, int32 size
constexpr int8_t log_append_time_bit = 0x08;

struct legacy_record {
  std::optional<std::string> key;
  std::optional<std::string> value;
  int64_t timestamp = -1;
};

struct reader {
  std::span<const std::byte> data;
  size_t pos = 0;
  size_t left() const { return data.size() - pos; }
};

// int32 length, then that many bytes; -1 is null.
bool read_bytes(reader& r, std::optional<std::string>& out) {
  if (r.left() < 4) {
    return false;
  }
  auto len = be::load<int32_t>(r.data.data() + r.pos);
  r.pos += 4;
  if (len == -1) {
    out.reset();
    return true;
  }
  if (len < 0 || static_cast<size_t>(len) > r.left()) {
    return false;
  }
  out.emplace(reinterpret_cast<const char*>(r.data.data() + r.pos), static_cast<size_t>(len));
  r.pos += static_cast<size_t>(len);
  return true;
}

// XXH32 with seed 0 of fewer than 16 bytes (an LZ4 frame descriptor is at most 14).
uint32_t xxh32_short(std::span<const std::byte> in) {
  constexpr uint32_t p1 = 2654435761U;
  constexpr uint32_t p2 = 2246822519U;
  constexpr uint32_t p3 = 3266489917U;
  constexpr uint32_t p4 = 668265263U;
  constexpr uint32_t p5 = 374761393U;
  auto rotl = [](uint32_t x, int r) { return (x << r) | (x >> (32 - r)); };
  uint32_t h = p5 + static_cast<uint32_t>(in.size());
  size_t i = 0;
  for (; i + 4 <= in.size(); i += 4) {
    uint32_t word = 0;
    for (int b = 3; b >= 0; --b) {
      word = (word << 8) | static_cast<uint8_t>(in[i + static_cast<size_t>(b)]);
    }
    h += word * p3;
    h = rotl(h, 17) * p4;
  }
  for (; i < in.size(); ++i) {
    h += static_cast<uint8_t>(in[i]) * p5;
    h = rotl(h, 11) * p1;
  }
  h ^= h >> 15;
  h *= p2;
  h ^= h >> 13;
  h *= p3;
  h ^= h >> 16;
  return h;
}

// Kafka's clients of the magic 0 era computed the LZ4 frame's header checksum over the
// magic number too (KAFKA-3160); lz4frame refuses that. Rewrites it to the correct value,
// which leaves a correct one as it is.
void fix_lz4_header_checksum(std::vector<std::byte>& frame) {
  constexpr size_t descriptor_at = 4;  // after the 4-byte magic number
  if (frame.size() < descriptor_at + 3) {
    return;  // too short: lz4frame reports it
  }
  auto flg = static_cast<uint8_t>(frame[descriptor_at]);
  size_t length = 2 + ((flg & 0x08) != 0 ? 8 : 0) + ((flg & 0x01) != 0 ? 4 : 0);
  if (frame.size() <= descriptor_at + length) {
    return;
  }
  uint32_t h = xxh32_short(std::span(frame).subspan(descriptor_at, length));
  frame[descriptor_at + length] = static_cast<std::byte>((h >> 8) & 0xff);
}

struct converter {
  size_t max_records_size;
  std::string& why;
  std::vector<legacy_record> records;
  size_t records_size = 0;
  std::optional<compression> codec;

  std::error_code fail(std::error_code ec, std::string reason) {
    why = std::move(reason);
    return ec;
  }

  // Reads the message set `data`; `inner` when it is a wrapper's decompressed value, of
  // messages of `wrapper_magic`, stamped `wrapper_time` when the wrapper says
  // LogAppendTime.
  std::error_code read_set(std::span<const std::byte> data, bool inner, int8_t wrapper_magic,
                           std::optional<int64_t> wrapper_time) {
    reader r{data};
    while (r.left() > 0) {
      if (r.left() < entry_prefix) {
        return fail(batch_errc::bad_records, "a message set ends inside a message's header");
      }
      auto size = be::load<int32_t>(data.data() + r.pos + 8);
      r.pos += entry_prefix;
      if (size < 0 || static_cast<size_t>(size) > r.left()) {
        return fail(batch_errc::bad_records,
                    "a message's size (" + std::to_string(size) + ") runs past the message set");
      }
      auto message = data.subspan(r.pos, static_cast<size_t>(size));
      r.pos += static_cast<size_t>(size);
      if (auto ec = read_message(message, inner, wrapper_magic, wrapper_time)) {
        return ec;
      }
    }
    return {};
  }

  std::error_code read_message(std::span<const std::byte> m, bool inner, int8_t wrapper_magic,
                               std::optional<int64_t> wrapper_time) {
    if (m.size() < attributes_at + 1) {
      return fail(batch_errc::bad_records, "a message is too short for its header");
    }
    auto magic = static_cast<int8_t>(m[magic_at]);
    if (magic != 0 && magic != 1) {
      return fail(batch_errc::bad_magic,
                  "a message of magic " + std::to_string(magic) + " in a message set");
    }
    if (inner && magic != wrapper_magic) {
      return fail(batch_errc::bad_records, "a compressed message of magic " +
                                               std::to_string(wrapper_magic) +
                                               " holds one of magic " + std::to_string(magic));
    }
    auto stored = be::load<uint32_t>(m.data() + crc_at);
    auto computed =
        static_cast<uint32_t>(crc32(0L, reinterpret_cast<const Bytef*>(m.data() + magic_at),
                                    static_cast<uInt>(m.size() - magic_at)));
    if (stored != computed) {
      return fail(batch_errc::bad_crc, "a message's CRC-32 does not match its bytes");
    }
    auto attributes = static_cast<int8_t>(m[attributes_at]);
    reader r{m, attributes_at + 1};
    int64_t timestamp = -1;
    if (magic == 1) {
      if (r.left() < 8) {
        return fail(batch_errc::bad_records, "a message is too short for its timestamp");
      }
      timestamp = be::load<int64_t>(m.data() + timestamp_at);
      r.pos += 8;
    }
    legacy_record rec;
    if (!read_bytes(r, rec.key) || !read_bytes(r, rec.value) || r.left() != 0) {
      return fail(batch_errc::bad_records, "a message's key and value do not fill it exactly");
    }
    auto c = static_cast<compression>(attributes & 0x07);
    if (c == compression::none) {
      rec.timestamp = wrapper_time.value_or(timestamp);
      records_size += (rec.key ? rec.key->size() : 0) + (rec.value ? rec.value->size() : 0);
      if (records_size > max_records_size) {
        return fail(compression_errc::too_large, "the message set's records are too large");
      }
      records.push_back(std::move(rec));
      return {};
    }
    if (inner) {
      return fail(batch_errc::bad_records, "a compressed message inside a compressed message");
    }
    if (c != compression::gzip && c != compression::snappy && c != compression::lz4) {
      return fail(batch_errc::bad_compression,
                  "codec " + std::to_string(attributes & 0x07) + " in a message of magic " +
                      std::to_string(magic) + " (gzip, snappy and lz4 only before magic 2)");
    }
    if (!rec.value) {
      return fail(batch_errc::bad_records, "a compressed message with a null value");
    }
    std::vector<std::byte> compressed(
        reinterpret_cast<const std::byte*>(rec.value->data()),
        reinterpret_cast<const std::byte*>(rec.value->data()) + rec.value->size());
    if (c == compression::lz4 && magic == 0) {
      fix_lz4_header_checksum(compressed);
    }
    auto plain = decompress(c, compressed, max_records_size);
    if (!plain) {
      return fail(plain.error(),
                  "a compressed message does not decompress: " + plain.error().message());
    }
    codec = codec.value_or(c);
    std::optional<int64_t> stamp;
    if (magic == 1 && (attributes & log_append_time_bit) != 0) {
      stamp = timestamp;
    }
    return read_set(*plain, true, magic, stamp);
  }
};

}  // namespace

int magic_of(std::span<const std::byte> data) {
  // The magic byte sits at the same place in a message set entry and in a v2 batch.
  if (data.size() <= batch_layout::magic) {
    return -1;
  }
  return static_cast<int8_t>(data[batch_layout::magic]);
}

result<std::string> upconvert_message_set(std::span<const std::byte> data, std::string& why,
                                          size_t max_records_size) {
  converter conv{max_records_size, why, {}, 0, std::nullopt};
  if (auto ec = conv.read_set(data, false, 0, std::nullopt)) {
    return ec;
  }
  if (conv.records.empty()) {
    why = "an empty message set";
    return make_error_code(batch_errc::bad_records);
  }
  std::vector<record> out(conv.records.size());
  int64_t base = conv.records.front().timestamp;
  for (size_t i = 0; i < out.size(); ++i) {
    auto& in = conv.records[i];
    auto& r = out[i];
    r.null_key = !in.key;
    r.key = in.key.value_or("");
    r.null_value = !in.value;
    r.value = in.value.value_or("");
    if (__builtin_sub_overflow(in.timestamp, base, &r.timestamp_delta)) {
      why = "the messages' timestamps are too far apart for one record batch";
      return make_error_code(batch_errc::bad_records);
    }
  }
  auto batch = build_batch(out, base, conv.codec.value_or(compression::none));
  if (!batch) {
    why = "cannot build the record batch: " + batch.error().message();
    return batch.error();
  }
  return std::move(batch).value();
}

}  // namespace brook::protocol
