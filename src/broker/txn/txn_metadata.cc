#include "broker/txn/txn_metadata.h"

#include <array>

#include "protocol/errc.h"
#include "protocol/wire_reader.h"
#include "protocol/wire_writer.h"

namespace brook::broker::txn {

namespace {
constexpr int16_t blob_version = 0;

constexpr std::array<std::string_view, 6> names = {
    "Empty", "Ongoing", "PrepareCommit", "PrepareAbort", "CompleteCommit", "CompleteAbort"};

// A count that cannot be right: negative, or more items than bytes left.
bool bad_count(const protocol::wire_reader& r, int32_t n) {
  return r.failed() || n < 0 || static_cast<size_t>(n) > r.remaining();
}
}  // namespace

std::string_view state_name(txn_state s) {
  return names.at(static_cast<size_t>(s));
}

std::optional<txn_state> state_from_name(std::string_view name) {
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) {
      return static_cast<txn_state>(i);
    }
  }
  return std::nullopt;
}

std::vector<std::byte> encode_txn(const txn_metadata& t) {
  protocol::wire_writer w;
  w.write_int16(blob_version);
  w.write_int64(t.producer_id);
  w.write_int16(t.producer_epoch);
  w.write_int32(t.timeout_ms);
  w.write_int8(static_cast<int8_t>(t.state));
  w.write_int64(t.start_ms);
  w.write_int64(t.update_ms);
  w.write_int32(static_cast<int32_t>(t.partitions.size()));
  for (const auto& p : t.partitions) {
    w.write_string(p.topic, false);
    w.write_int32(p.partition);
  }
  w.write_int32(static_cast<int32_t>(t.groups.size()));
  for (const auto& g : t.groups) {
    w.write_string(g, false);
  }
  w.write_int32(static_cast<int32_t>(t.offsets.size()));
  for (const auto& o : t.offsets) {
    w.write_string(o.group, false);
    w.write_string(o.topic, false);
    w.write_int32(o.partition);
    w.write_int64(o.offset);
    w.write_int32(o.leader_epoch);
    if (o.metadata) {
      w.write_string(*o.metadata, false);
    } else {
      w.write_null_string(false);
    }
  }
  return w.take_buffer();
}

result<txn_metadata> decode_txn(std::span<const std::byte> blob) {
  protocol::wire_reader r(blob);
  int16_t version = r.read_int16();
  if (r.failed()) {
    return protocol::protocol_errc::malformed;
  }
  if (version != blob_version) {
    return protocol::protocol_errc::unsupported_version;
  }
  txn_metadata t;
  t.producer_id = r.read_int64();
  t.producer_epoch = r.read_int16();
  t.timeout_ms = r.read_int32();
  int8_t state = r.read_int8();
  t.start_ms = r.read_int64();
  t.update_ms = r.read_int64();
  if (r.failed() || state < 0 || static_cast<size_t>(state) >= names.size()) {
    return protocol::protocol_errc::malformed;
  }
  t.state = static_cast<txn_state>(state);
  int32_t n = r.read_int32();
  if (bad_count(r, n)) {
    return protocol::protocol_errc::malformed;
  }
  for (int32_t i = 0; i < n; ++i) {
    txn_partition p;
    r.read_string(p.topic, false);
    p.partition = r.read_int32();
    t.partitions.insert(std::move(p));
  }
  n = r.read_int32();
  if (bad_count(r, n)) {
    return protocol::protocol_errc::malformed;
  }
  for (int32_t i = 0; i < n; ++i) {
    std::string g;
    r.read_string(g, false);
    t.groups.insert(std::move(g));
  }
  n = r.read_int32();
  if (bad_count(r, n)) {
    return protocol::protocol_errc::malformed;
  }
  for (int32_t i = 0; i < n; ++i) {
    txn_offset o;
    r.read_string(o.group, false);
    r.read_string(o.topic, false);
    o.partition = r.read_int32();
    o.offset = r.read_int64();
    o.leader_epoch = r.read_int32();
    if (!r.next_is_null_string(false)) {
      std::string m;
      r.read_string(m, false);
      o.metadata = std::move(m);
    }
    t.offsets.push_back(std::move(o));
  }
  if (r.failed() || r.remaining() != 0) {
    return protocol::protocol_errc::malformed;
  }
  return t;
}

}  // namespace brook::broker::txn
