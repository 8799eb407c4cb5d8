#include "broker/group/group_state_codec.h"

#include "protocol/errc.h"
#include "protocol/wire_reader.h"
#include "protocol/wire_writer.h"

namespace brook::broker::group {

namespace {
constexpr int16_t blob_version = 0;

void write_optional(protocol::wire_writer& w, const std::optional<std::string>& s) {
  if (s) {
    w.write_string(*s, false);
  } else {
    w.write_null_string(false);
  }
}

std::optional<std::string> read_optional(protocol::wire_reader& r) {
  if (r.next_is_null_string(false)) {  // consumes the null's length
    return std::nullopt;
  }
  std::string s;
  r.read_string(s, false);
  return s;
}
}  // namespace

bytes encode_group_state(const group& g) {
  protocol::wire_writer w;
  w.write_int16(blob_version);
  w.write_string(g.protocol_type, false);
  w.write_int32(g.generation);
  write_optional(w, g.protocol_name);
  w.write_string(g.leader, false);
  w.write_int64(g.state_since_ms);
  w.write_int32(static_cast<int32_t>(g.members.size()));
  for (const auto& [id, m] : g.members) {
    w.write_string(m.id, false);
    write_optional(w, m.instance_id);
    w.write_string(m.client_id, false);
    w.write_string(m.client_host, false);
    w.write_int32(m.session_timeout_ms);
    w.write_int32(m.rebalance_timeout_ms);
    w.write_string(m.protocol_type, false);
    w.write_int32(static_cast<int32_t>(m.protocols.size()));
    for (const auto& p : m.protocols) {
      w.write_string(p.name, false);
      w.write_bytes(p.metadata, false);
    }
    w.write_bytes(m.assignment, false);
  }
  return w.take_buffer();
}

status decode_group_state(std::span<const std::byte> blob, group& g, clock::time_point now) {
  protocol::wire_reader r(blob);
  int16_t version = r.read_int16();
  if (r.failed()) {
    return protocol::protocol_errc::malformed;
  }
  if (version != blob_version) {
    return protocol::protocol_errc::unsupported_version;
  }
  r.read_string(g.protocol_type, false);
  g.generation = r.read_int32();
  g.protocol_name = read_optional(r);
  r.read_string(g.leader, false);
  g.state_since_ms = r.read_int64();
  int32_t n = r.read_int32();
  if (r.failed() || n < 0 || static_cast<size_t>(n) > r.remaining()) {
    return protocol::protocol_errc::malformed;
  }
  for (int32_t i = 0; i < n; ++i) {
    member m;
    r.read_string(m.id, false);
    m.instance_id = read_optional(r);
    r.read_string(m.client_id, false);
    r.read_string(m.client_host, false);
    m.session_timeout_ms = r.read_int32();
    m.rebalance_timeout_ms = r.read_int32();
    r.read_string(m.protocol_type, false);
    int32_t np = r.read_int32();
    if (r.failed() || np < 0 || static_cast<size_t>(np) > r.remaining()) {
      return protocol::protocol_errc::malformed;
    }
    for (int32_t j = 0; j < np; ++j) {
      protocol_entry p;
      r.read_string(p.name, false);
      r.read_bytes(p.metadata, false);
      m.protocols.push_back(std::move(p));
    }
    r.read_bytes(m.assignment, false);
    if (r.failed()) {
      return protocol::protocol_errc::malformed;
    }
    m.last_heartbeat = now;
    if (m.instance_id) {
      g.static_members[*m.instance_id] = m.id;
    }
    std::string id = m.id;
    g.members.emplace(std::move(id), std::move(m));
  }
  if (r.failed() || r.remaining() != 0) {
    return protocol::protocol_errc::malformed;
  }
  g.state = g.members.empty() ? group_state::empty : group_state::stable;
  return {};
}

}  // namespace brook::broker::group
