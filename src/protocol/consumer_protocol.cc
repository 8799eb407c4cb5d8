#include "protocol/consumer_protocol.h"

#include "protocol/errc.h"
#include "protocol/wire_reader.h"
#include "protocol/wire_writer.h"

namespace brook::protocol {

namespace {
// Both start with a version and an array; neither is ever flexible-encoded.
bool read_topic_name(wire_reader& r, std::string& out) {
  if (r.next_is_null_string(false)) {
    return false;
  }
  r.read_string(out, false);
  return !r.failed();
}
}  // namespace

result<consumer_subscription> parse_consumer_subscription(std::span<const std::byte> data) {
  wire_reader r(data);
  consumer_subscription s;
  s.version = r.read_int16();
  int64_t n = r.read_array_length(false);
  if (r.failed() || s.version < 0 || n < 0 || static_cast<size_t>(n) > r.remaining() / 2) {
    return protocol_errc::malformed;
  }
  s.topics.resize(static_cast<size_t>(n));
  for (auto& t : s.topics) {
    if (!read_topic_name(r, t)) {
      return protocol_errc::malformed;
    }
  }
  // User data, owned partitions (v1+), generation (v2+) and rack (v3+) follow; unused.
  return s;
}

result<consumer_assignment> parse_consumer_assignment(std::span<const std::byte> data) {
  wire_reader r(data);
  consumer_assignment a;
  a.version = r.read_int16();
  int64_t n = r.read_array_length(false);
  if (r.failed() || a.version < 0 || n < 0 || static_cast<size_t>(n) > r.remaining() / 6) {
    return protocol_errc::malformed;
  }
  for (int64_t i = 0; i < n; ++i) {
    std::string topic;
    if (!read_topic_name(r, topic)) {
      return protocol_errc::malformed;
    }
    int64_t count = r.read_array_length(false);
    if (r.failed() || count < 0 || static_cast<size_t>(count) > r.remaining() / 4) {
      return protocol_errc::malformed;
    }
    auto& parts = a.partitions[topic];
    for (int64_t j = 0; j < count; ++j) {
      parts.push_back(r.read_int32());
    }
    if (r.failed()) {
      return protocol_errc::malformed;
    }
  }
  return a;
}

std::vector<std::byte> encode_consumer_subscription(const std::vector<std::string>& topics) {
  wire_writer w;
  w.write_int16(0);
  w.write_array_length(topics.size(), false);
  for (const auto& t : topics) {
    w.write_string(t, false);
  }
  w.write_null_bytes(false);  // user data
  return w.take_buffer();
}

std::vector<std::byte> encode_consumer_assignment(
    const std::map<std::string, std::vector<int32_t>>& partitions) {
  wire_writer w;
  w.write_int16(0);
  w.write_array_length(partitions.size(), false);
  for (const auto& [topic, parts] : partitions) {
    w.write_string(topic, false);
    w.write_array_length(parts.size(), false);
    for (int32_t p : parts) {
      w.write_int32(p);
    }
  }
  w.write_null_bytes(false);  // user data
  return w.take_buffer();
}

}  // namespace brook::protocol
