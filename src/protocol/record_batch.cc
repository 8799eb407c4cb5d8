#include "protocol/record_batch.h"

#include <limits>

#include "base/big_endian.h"
#include "base/crc32c.h"
#include "base/varint.h"

namespace brook::protocol {
namespace L = batch_layout;

std::string_view compression_name(compression c) {
  switch (c) {
    case compression::none:
      return "none";
    case compression::gzip:
      return "gzip";
    case compression::snappy:
      return "snappy";
    case compression::lz4:
      return "lz4";
    case compression::zstd:
      return "zstd";
  }
  return "unknown";
}

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

result<batch_header> validate_batch(std::span<const std::byte> bytes, size_t max_size) {
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
  if (bytes.size() < total) {
    return batch_errc::truncated;
  }
  auto batch = bytes.first(total);
  auto h = batch_header::decode(batch);
  if ((h.attributes & 0x7) > 4) {
    return batch_errc::bad_compression;
  }
  // A producer's batch holds exactly last_offset_delta + 1 records (only compaction, which
  // Brook does not do, leaves gaps).
  if (h.last_offset_delta < 0 || h.records_count != h.last_offset_delta + 1 ||
      (h.codec() == compression::none && h.records_count > length)) {
    return batch_errc::bad_offset_delta;
  }
  if (compute_batch_crc(batch) != h.crc) {
    return batch_errc::bad_crc;
  }
  return h;
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
void append_bytes(std::string& out, std::string_view s, bool null) {
  if (null) {
    varint::append(out, -1);
    return;
  }
  varint::append(out, static_cast<int64_t>(s.size()));
  out.append(s);
}
}  // namespace

std::string build_batch(std::span<const record> records, int64_t base_timestamp,
                        int64_t producer_id, int16_t producer_epoch, int32_t base_sequence) {
  BROOK_ASSERT(!records.empty(), "a batch holds at least one record");
  std::string out(L::header_size, '\0');
  int64_t max_delta = 0;
  std::string body;
  for (size_t i = 0; i < records.size(); ++i) {
    const record& r = records[i];
    body.clear();
    body.push_back('\0');  // record attributes
    varint::append(body, r.timestamp_delta);
    varint::append(body, static_cast<int64_t>(i));
    append_bytes(body, r.key, r.null_key);
    append_bytes(body, r.value, r.null_value);
    varint::append(body, static_cast<int64_t>(r.headers.size()));
    for (const auto& [k, v] : r.headers) {
      append_bytes(body, k, false);
      append_bytes(body, v, false);
    }
    varint::append(out, static_cast<int64_t>(body.size()));
    out.append(body);
    max_delta = std::max(max_delta, r.timestamp_delta);
  }
  auto* p = reinterpret_cast<std::byte*>(out.data());
  be::store<int64_t>(p + L::base_offset, 0);
  be::store<int32_t>(p + L::batch_length, static_cast<int32_t>(out.size() - L::length_prefix));
  be::store<int32_t>(p + L::partition_leader_epoch, 0);
  be::store<int8_t>(p + L::magic, L::current_magic);
  be::store<int16_t>(p + L::attributes, 0);
  be::store<int32_t>(p + L::last_offset_delta, static_cast<int32_t>(records.size() - 1));
  be::store<int64_t>(p + L::base_timestamp, base_timestamp);
  be::store<int64_t>(p + L::max_timestamp, base_timestamp + max_delta);
  be::store<int64_t>(p + L::producer_id, producer_id);
  be::store<int16_t>(p + L::producer_epoch, producer_epoch);
  be::store<int32_t>(p + L::base_sequence, base_sequence);
  be::store<int32_t>(p + L::records_count, static_cast<int32_t>(records.size()));
  auto crc = compute_batch_crc(std::as_bytes(std::span(out)));
  be::store<uint32_t>(p + L::crc, crc);
  return out;
}

namespace {
bool read_bytes(std::span<const std::byte>& in, std::string& out, bool* is_null) {
  auto len = varint::read(in);
  if (!len) {
    return false;
  }
  if (*len < 0) {
    if (is_null != nullptr) {
      *is_null = true;
    }
    return *len == -1;
  }
  if (static_cast<uint64_t>(*len) > in.size()) {
    return false;
  }
  out.assign(reinterpret_cast<const char*>(in.data()), static_cast<size_t>(*len));
  in = in.subspan(static_cast<size_t>(*len));
  return true;
}
}  // namespace

result<std::vector<record>> decode_records(std::span<const std::byte> batch) {
  if (batch.size() < L::header_size) {
    return batch_errc::truncated;
  }
  auto h = batch_header::decode(batch);
  if (h.codec() != compression::none) {
    return batch_errc::bad_compression;
  }
  auto in = batch.subspan(L::header_size, std::min(batch.size(), h.total_size()) - L::header_size);
  std::vector<record> out;
  for (int32_t i = 0; i < h.records_count; ++i) {
    auto len = varint::read(in);
    if (!len || *len < 1 || static_cast<uint64_t>(*len) > in.size()) {
      return batch_errc::truncated;
    }
    auto body = in.first(static_cast<size_t>(*len));
    in = in.subspan(static_cast<size_t>(*len));
    record r;
    body = body.subspan(1);  // attributes
    auto ts = varint::read(body);
    auto od = varint::read(body);
    if (!ts || !od) {
      return batch_errc::truncated;
    }
    r.timestamp_delta = *ts;
    if (!read_bytes(body, r.key, &r.null_key) || !read_bytes(body, r.value, &r.null_value)) {
      return batch_errc::truncated;
    }
    auto nh = varint::read(body);
    if (!nh || *nh < 0 || *nh > static_cast<int64_t>(body.size())) {
      return batch_errc::truncated;
    }
    for (int64_t k = 0; k < *nh; ++k) {
      std::string hk;
      std::string hv;
      if (!read_bytes(body, hk, nullptr) || !read_bytes(body, hv, nullptr)) {
        return batch_errc::truncated;
      }
      r.headers.emplace_back(std::move(hk), std::move(hv));
    }
    if (!body.empty()) {
      return batch_errc::truncated;
    }
    out.push_back(std::move(r));
  }
  if (!in.empty()) {
    return batch_errc::truncated;
  }
  return out;
}

}  // namespace brook::protocol
