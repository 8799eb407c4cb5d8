#include "protocol/control_record.h"

#include "base/big_endian.h"

namespace brook::protocol {
namespace {

std::string int16s(int16_t a, int16_t b) {
  std::string out(4, '\0');
  auto* p = reinterpret_cast<std::byte*>(out.data());
  be::store(p, a);
  be::store(p + 2, b);
  return out;
}

}  // namespace

std::string build_marker_batch(int64_t producer_id, int16_t epoch, control_type type,
                               int32_t coordinator_epoch, int64_t timestamp_ms) {
  record r;
  r.key = int16s(0, static_cast<int16_t>(type));
  r.value.resize(6);
  auto* v = reinterpret_cast<std::byte*>(r.value.data());
  be::store(v, int16_t{0});
  be::store(v + 2, coordinator_epoch);
  std::string batch = build_batch(std::span(&r, 1), timestamp_ms, producer_id, epoch, -1);
  auto bytes = std::as_writable_bytes(std::span(batch));
  auto attributes = be::load<int16_t>(bytes.data() + batch_layout::attributes);
  be::store(bytes.data() + batch_layout::attributes,
            static_cast<int16_t>(attributes | transactional_attribute | control_attribute));
  be::store(bytes.data() + batch_layout::crc, compute_batch_crc(bytes));
  return batch;
}

std::optional<control_type> marker_type(std::span<const std::byte> batch) {
  if (batch.size() < batch_layout::header_size) {
    return std::nullopt;
  }
  auto header = batch_header::decode(batch);
  if (!header.control()) {
    return std::nullopt;
  }
  auto records = decode_records(batch.first(std::min(batch.size(), header.total_size())));
  if (!records || records->empty() || records->front().null_key ||
      records->front().key.size() < 4) {
    return std::nullopt;
  }
  auto type =
      be::load<int16_t>(reinterpret_cast<const std::byte*>(records->front().key.data()) + 2);
  if (type != static_cast<int16_t>(control_type::abort) &&
      type != static_cast<int16_t>(control_type::commit)) {
    return std::nullopt;
  }
  return static_cast<control_type>(type);
}

}  // namespace brook::protocol
