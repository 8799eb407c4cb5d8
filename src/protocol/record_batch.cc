#include "protocol/record_batch.h"

#include <algorithm>
#include <limits>
#include <string_view>

#include "base/big_endian.h"
#include "base/crc32c.h"
#include "base/varint.h"

namespace brook::protocol {
namespace L = batch_layout;

namespace {
class batch_category_impl : public std::error_category {
 public:
  const char* name() const noexcept override { return "record batch"; }
  std::string message(int e) const override {
    switch (static_cast<batch_errc>(e)) {
      case batch_errc::truncated:
        return "record batch truncated";
      case batch_errc::bad_length:
        return "record batch length below the header size";
      case batch_errc::too_large:
        return "record batch larger than the size limit";
      case batch_errc::bad_magic:
        return "record batch magic is not 2";
      case batch_errc::bad_crc:
        return "record batch CRC-32C mismatch";
      case batch_errc::bad_offset_delta:
        return "record batch offset delta or record count invalid";
      case batch_errc::bad_compression:
        return "record batch compression codec unknown";
      case batch_errc::bad_records:
        return "record batch records malformed";
    }
    return "record batch error";
  }
};
}  // namespace

const std::error_category& batch_category() {
  static const batch_category_impl c;
  return c;
}
std::error_code make_error_code(batch_errc e) {
  return {static_cast<int>(e), batch_category()};
}

batch_header batch_header::decode(std::span<const std::byte> b) {
  BROOK_ASSERT(b.size() >= L::header_size, "batch header needs 61 bytes");
  const std::byte* p = b.data();
  batch_header h;
  h.base_offset = be::load<int64_t>(p + L::base_offset);
  h.batch_length = be::load<int32_t>(p + L::batch_length);
  h.partition_leader_epoch = be::load<int32_t>(p + L::partition_leader_epoch);
  h.magic = be::load<int8_t>(p + L::magic);
  h.crc = be::load<uint32_t>(p + L::crc);
  h.attributes = be::load<int16_t>(p + L::attributes);
  h.last_offset_delta = be::load<int32_t>(p + L::last_offset_delta);
  h.base_timestamp = be::load<int64_t>(p + L::base_timestamp);
  h.max_timestamp = be::load<int64_t>(p + L::max_timestamp);
  h.producer_id = be::load<int64_t>(p + L::producer_id);
  h.producer_epoch = be::load<int16_t>(p + L::producer_epoch);
  h.base_sequence = be::load<int32_t>(p + L::base_sequence);
  h.records_count = be::load<int32_t>(p + L::records_count);
  return h;
}

uint32_t compute_batch_crc(std::span<const std::byte> batch) {
  return crc32c::value(batch.subspan(L::attributes));
}

namespace {

// validate_batch's checks but the CRC, on a header that is all there (`bytes` holds the
// whole batch when `whole`, else at least its header).
result<batch_header> check_header(std::span<const std::byte> bytes, size_t max_size,
                                  batch_origin origin, bool whole) {
  if (bytes.size() < L::length_prefix + 5) {
    return batch_errc::truncated;
  }
  int32_t length = be::load<int32_t>(bytes.data() + L::batch_length);
  if (length < static_cast<int32_t>(L::header_size - L::length_prefix)) {
    return batch_errc::bad_length;
  }
  if (static_cast<size_t>(length) + L::length_prefix > max_size) {
    return batch_errc::too_large;
  }
  // Magic before the length check against `bytes`: a v0/v1 message set says so clearly.
  if (be::load<int8_t>(bytes.data() + L::magic) != L::current_magic) {
    return batch_errc::bad_magic;
  }
  size_t total = static_cast<size_t>(length) + L::length_prefix;
  if (bytes.size() < (whole ? total : L::header_size)) {
    return batch_errc::truncated;
  }
  auto h = batch_header::decode(bytes.first(whole ? total : L::header_size));
  if ((h.attributes & 0x7) > 4) {
    return batch_errc::bad_compression;
  }
  // A producer's batch holds exactly last_offset_delta + 1 records; one the log cleaner
  // rewrote (filter_batch) may hold fewer, never more.
  int64_t full = static_cast<int64_t>(h.last_offset_delta) + 1;
  bool count_ok = origin == batch_origin::producer
                      ? h.records_count == full
                      : h.records_count >= 0 && h.records_count <= full;
  if (h.last_offset_delta < 0 || !count_ok ||
      (h.codec() == compression::none && h.records_count > length)) {
    return batch_errc::bad_offset_delta;
  }
  return h;
}

}  // namespace

result<batch_header> validate_batch(std::span<const std::byte> bytes, size_t max_size,
                                    batch_origin origin) {
  auto h = check_header(bytes, max_size, origin, true);
  if (h && compute_batch_crc(bytes.first(h->total_size())) != h->crc) {
    return batch_errc::bad_crc;
  }
  return h;
}

result<batch_header> validate_batch_header(std::span<const std::byte> header, size_t max_size,
                                           batch_origin origin) {
  return check_header(header, max_size, origin, false);
}

void set_base_offset(std::span<std::byte> batch, int64_t base_offset) {
  be::store<int64_t>(batch.data() + L::base_offset, base_offset);
}

void set_log_append_time(std::span<std::byte> batch, int64_t timestamp) {
  auto attributes = be::load<int16_t>(batch.data() + L::attributes);
  be::store<int16_t>(batch.data() + L::attributes, static_cast<int16_t>(attributes | 0x8));
  be::store<int64_t>(batch.data() + L::max_timestamp, timestamp);
  be::store<uint32_t>(batch.data() + L::crc, compute_batch_crc(batch));
}

namespace {
// A Kafka `bytes` field inside a record: zig-zag varint length (-1: null), then the bytes.
void append_bytes(std::string& out, std::string_view s, bool null) {
  if (null) {
    varint::append(out, -1);
    return;
  }
  varint::append(out, static_cast<int64_t>(s.size()));
  out.append(s);
}

// The records part of a batch (offset 61 on), uncompressed; layout in
// doc/formats/record-batch.md#records.
// The records, each with offset delta = its index, or (keep_offset_deltas) its own.
std::string encode_records(std::span<const record> records, bool keep_offset_deltas = false) {
  std::string out;
  std::string body;
  for (size_t i = 0; i < records.size(); ++i) {
    const record& r = records[i];
    body.clear();
    body.push_back('\0');  // record attributes, unused
    varint::append(body, r.timestamp_delta);
    varint::append(
        body, keep_offset_deltas ? static_cast<int64_t>(r.offset_delta) : static_cast<int64_t>(i));
    append_bytes(body, r.key, r.null_key);
    append_bytes(body, r.value, r.null_value);
    varint::append(body, static_cast<int64_t>(r.headers.size()));
    for (const auto& h : r.headers) {
      append_bytes(body, h.key, false);
      append_bytes(body, h.value, h.null_value);
    }
    varint::append(out, static_cast<int64_t>(body.size()));
    out.append(body);
  }
  return out;
}
}  // namespace

result<std::string> build_batch(std::span<const record> records, int64_t base_timestamp,
                                compression codec, int64_t producer_id, int16_t producer_epoch,
                                int32_t base_sequence) {
  BROOK_ASSERT(!records.empty(), "a batch holds at least one record");
  std::string plain = encode_records(records);
  std::string out(L::header_size, '\0');
  if (codec == compression::none) {
    out.append(plain);
  } else {
    auto packed = compress(codec, std::as_bytes(std::span(plain)));
    if (!packed) {
      return packed.error();
    }
    out.append(reinterpret_cast<const char*>(packed->data()), packed->size());
  }
  if (out.size() - L::length_prefix > static_cast<size_t>(std::numeric_limits<int32_t>::max()) ||
      records.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    return batch_errc::too_large;
  }
  int64_t max_delta = records[0].timestamp_delta;
  for (const auto& r : records) {
    max_delta = std::max(max_delta, r.timestamp_delta);
  }
  auto* p = reinterpret_cast<std::byte*>(out.data());
  be::store<int64_t>(p + L::base_offset, 0);
  be::store<int32_t>(p + L::batch_length, static_cast<int32_t>(out.size() - L::length_prefix));
  be::store<int32_t>(p + L::partition_leader_epoch, 0);
  be::store<int8_t>(p + L::magic, L::current_magic);
  be::store<int16_t>(p + L::attributes, static_cast<int16_t>(codec));
  be::store<int32_t>(p + L::last_offset_delta, static_cast<int32_t>(records.size() - 1));
  be::store<int64_t>(p + L::base_timestamp, base_timestamp);
  be::store<int64_t>(p + L::max_timestamp, base_timestamp + max_delta);
  be::store<int64_t>(p + L::producer_id, producer_id);
  be::store<int16_t>(p + L::producer_epoch, producer_epoch);
  be::store<int32_t>(p + L::base_sequence, base_sequence);
  be::store<int32_t>(p + L::records_count, static_cast<int32_t>(records.size()));
  be::store<uint32_t>(p + L::crc, compute_batch_crc(std::as_bytes(std::span(out))));
  return out;
}

result<std::string> filter_batch(std::span<const std::byte> batch, std::span<const record> kept) {
  BROOK_ASSERT(!kept.empty(), "a filtered batch keeps at least one record");
  auto h = batch_header::decode(batch);
  std::string plain = encode_records(kept, true);
  std::string out(reinterpret_cast<const char*>(batch.data()), L::header_size);
  if (h.codec() == compression::none) {
    out.append(plain);
  } else {
    auto packed = compress(h.codec(), std::as_bytes(std::span(plain)));
    if (!packed) {
      return packed.error();
    }
    out.append(reinterpret_cast<const char*>(packed->data()), packed->size());
  }
  if (out.size() - L::length_prefix > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    return batch_errc::too_large;
  }
  auto* p = reinterpret_cast<std::byte*>(out.data());
  be::store<int32_t>(p + L::batch_length, static_cast<int32_t>(out.size() - L::length_prefix));
  be::store<int32_t>(p + L::records_count, static_cast<int32_t>(kept.size()));
  if (!h.log_append_time()) {
    int64_t max_delta = kept[0].timestamp_delta;
    for (const auto& r : kept) {
      max_delta = std::max(max_delta, r.timestamp_delta);
    }
    be::store<int64_t>(p + L::max_timestamp, h.base_timestamp + max_delta);
  }
  be::store<uint32_t>(p + L::crc, compute_batch_crc(std::as_bytes(std::span(out))));
  return out;
}

std::string empty_batch(std::span<const std::byte> batch) {
  auto h = batch_header::decode(batch);
  std::string out(reinterpret_cast<const char*>(batch.data()), L::header_size);
  auto* p = reinterpret_cast<std::byte*>(out.data());
  be::store<int32_t>(p + L::batch_length, static_cast<int32_t>(L::header_size - L::length_prefix));
  be::store<int16_t>(p + L::attributes, static_cast<int16_t>(h.attributes & ~0x7));
  be::store<int64_t>(p + L::base_timestamp, h.max_timestamp);
  be::store<int32_t>(p + L::records_count, 0);
  be::store<uint32_t>(p + L::crc, compute_batch_crc(std::as_bytes(std::span(out))));
  return out;
}

std::string build_batch(std::span<const record> records, int64_t base_timestamp,
                        int64_t producer_id, int16_t producer_epoch, int32_t base_sequence) {
  auto b = build_batch(records, base_timestamp, compression::none, producer_id, producer_epoch,
                       base_sequence);
  BROOK_ASSERT(b.has_value(), "an uncompressed batch above 2 GiB");
  return std::move(b).value();
}

namespace {
// Reads a `bytes` field written by append_bytes. A null (length -1) is allowed only where
// `is_null` is given; other negative lengths never are.
bool read_bytes(std::span<const std::byte>& in, std::string& out, bool* is_null) {
  auto len = varint::read(in);
  if (!len) {
    return false;
  }
  if (*len < 0) {
    if (*len != -1 || is_null == nullptr) {
      return false;
    }
    *is_null = true;
    return true;
  }
  if (static_cast<uint64_t>(*len) > in.size()) {
    return false;
  }
  out.assign(reinterpret_cast<const char*>(in.data()), static_cast<size_t>(*len));
  in = in.subspan(static_cast<size_t>(*len));
  return true;
}

// One record body (after its length), which it must fill exactly.
bool read_record(std::span<const std::byte> body, record& r) {
  if (body.empty()) {
    return false;
  }
  body = body.subspan(1);  // attributes, unused
  auto ts = varint::read(body);
  auto od = varint::read(body);
  if (!ts || !od || *od < std::numeric_limits<int32_t>::min() ||
      *od > std::numeric_limits<int32_t>::max()) {
    return false;
  }
  r.timestamp_delta = *ts;
  r.offset_delta = static_cast<int32_t>(*od);
  if (!read_bytes(body, r.key, &r.null_key) || !read_bytes(body, r.value, &r.null_value)) {
    return false;
  }
  auto count = varint::read(body);
  // Each header takes at least two bytes: a bound before anything is reserved.
  if (!count || *count < 0 || *count > static_cast<int64_t>(body.size() / 2)) {
    return false;
  }
  r.headers.resize(static_cast<size_t>(*count));
  for (auto& h : r.headers) {
    if (!read_bytes(body, h.key, nullptr) || !read_bytes(body, h.value, &h.null_value)) {
      return false;
    }
  }
  return body.empty();
}

// `count` records filling `in` exactly.
result<std::vector<record>> read_records(std::span<const std::byte> in, int32_t count) {
  // A record takes at least 7 bytes (length, attributes, two deltas, two lengths, header
  // count): a bound on what a lying count can make us reserve.
  if (static_cast<size_t>(count) > in.size() / 7) {
    return batch_errc::bad_records;
  }
  std::vector<record> out(static_cast<size_t>(count));
  for (auto& r : out) {
    auto len = varint::read(in);
    if (!len || *len < 1 || static_cast<uint64_t>(*len) > in.size()) {
      return batch_errc::bad_records;
    }
    if (!read_record(in.first(static_cast<size_t>(*len)), r)) {
      return batch_errc::bad_records;
    }
    in = in.subspan(static_cast<size_t>(*len));
  }
  if (!in.empty()) {
    return batch_errc::bad_records;  // bytes after the last record
  }
  return out;
}
}  // namespace

result<std::vector<record>> decode_records(std::span<const std::byte> batch,
                                           size_t max_records_size) {
  if (batch.size() < L::header_size) {
    return batch_errc::truncated;
  }
  auto h = batch_header::decode(batch);
  if (h.batch_length < static_cast<int32_t>(L::header_size - L::length_prefix)) {
    return batch_errc::bad_length;
  }
  if (h.magic != L::current_magic) {
    return batch_errc::bad_magic;
  }
  if (batch.size() < h.total_size()) {
    return batch_errc::truncated;
  }
  if ((h.attributes & 0x7) > 4) {
    return batch_errc::bad_compression;
  }
  if (h.records_count < 0) {
    return batch_errc::bad_offset_delta;
  }
  auto body = batch.subspan(L::header_size, h.total_size() - L::header_size);
  if (h.codec() == compression::none) {
    return read_records(body, h.records_count);
  }
  auto plain = decompress(h.codec(), body, max_records_size);
  if (!plain) {
    return plain.error();
  }
  return read_records(*plain, h.records_count);
}

}  // namespace brook::protocol
