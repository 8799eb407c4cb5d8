// `brook group describe`: DescribeGroups and OffsetFetch: per partition the committed offset,
// log end offset, lag in records and in seconds, and its owner. A Brook broker measures the
// lag itself, answering OffsetFetch's brook_include_lag; for partitions it did not measure
// (any other Kafka cluster, partitions assigned but never committed) ListOffsets gives the
// log end and one small Fetch per lagging partition the age of its oldest unconsumed record.
#include <algorithm>
#include <map>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "app/cli/group_cli.h"
#include "app/cli/group_requests.h"
#include "base/clock.h"
#include "base/json_writer.h"
#include "protocol/consumer_protocol.h"
#include "protocol/kafka_error.h"
#include "protocol/messages/fetch.h"
#include "protocol/record_batch.h"

namespace brook::app::group_cli {

namespace P = protocol;

namespace {

// Bytes asked for when reading the record at a committed offset (for its timestamp). A
// broker returns the whole first batch even when it is larger (KIP-74).
constexpr int32_t timestamp_fetch_bytes = 64 * 1024;

struct member_view {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string client_host;
  std::map<std::string, std::vector<int32_t>> assignment;
};

struct partition_view {
  topic_partition tp;
  std::optional<int64_t> committed;
  std::optional<int64_t> log_end;
  std::optional<int64_t> lag;
  std::optional<double> lag_seconds;
  int member = -1;  // index into the members, -1: not assigned
};

std::string assignment_text(const std::map<std::string, std::vector<int32_t>>& a) {
  std::string out;
  for (const auto& [topic, partitions] : a) {
    if (!out.empty()) {
      out += " ";
    }
    out += topic + ":";
    for (size_t i = 0; i < partitions.size(); ++i) {
      out += (i > 0 ? "," : "") + std::to_string(partitions[i]);
    }
  }
  return out.empty() ? "-" : out;
}

// The timestamp of the first record at or after `offset` in record batches, as read by a
// Fetch. A batch cut short by the byte limit still tells its first record's time.
std::optional<int64_t> first_timestamp_from(std::span<const std::byte> bytes, int64_t offset) {
  namespace L = P::batch_layout;
  while (bytes.size() >= L::header_size) {
    if (static_cast<int8_t>(bytes[L::magic]) != L::current_magic) {
      return std::nullopt;
    }
    auto h = P::batch_header::decode(bytes);
    if (h.batch_length < static_cast<int32_t>(L::header_size - L::length_prefix)) {
      return std::nullopt;
    }
    size_t size = h.total_size();
    if (size > bytes.size()) {
      if (!h.control() && h.last_offset() >= offset) {
        return h.log_append_time() ? h.max_timestamp : h.base_timestamp;
      }
      return std::nullopt;
    }
    auto batch = bytes.first(size);
    bytes = bytes.subspan(size);
    if (h.control() || h.last_offset() < offset) {
      continue;
    }
    if (h.log_append_time()) {
      return h.max_timestamp;
    }
    auto records = P::decode_records(batch);
    if (!records) {
      return h.base_timestamp;
    }
    for (const auto& r : *records) {
      if (h.base_offset + r.offset_delta >= offset) {
        return h.base_timestamp + r.timestamp_delta;
      }
    }
  }
  return std::nullopt;
}

// The timestamp of the oldest record at or after `offset` of a partition: one small Fetch
// from its leader. None when it cannot be read (no record, an old broker, an error).
std::optional<int64_t> record_timestamp_at(kafka_cluster& cl, const topic_partition& p,
                                           int64_t offset) {
  auto leader = cl.leader(p);
  if (!leader) {
    return std::nullopt;
  }
  kafka_client& c = **leader;
  int16_t v = c.version_for<P::fetch_request>();
  if (v < 4) {  // record batches v2 come with Fetch v4+
    return std::nullopt;
  }
  for (int attempt = 0; attempt < 2; ++attempt) {
    P::fetch_request request;
    request.replica_id = -1;
    request.max_wait_ms = 0;
    request.min_bytes = 0;
    request.max_bytes = timestamp_fetch_bytes;
    request.isolation_level = 0;
    request.session_id = 0;
    request.session_epoch = -1;  // no fetch session
    auto& t = request.topics.emplace_back();
    t.topic = p.first;
    auto& part = t.partitions.emplace_back();
    part.partition = p.second;
    part.fetch_offset = offset;
    part.partition_max_bytes = timestamp_fetch_bytes;
    auto r = c.call<P::fetch_response>(request, v);
    if (!r || r->error_code != 0 || r->responses.empty() || r->responses[0].partitions.empty()) {
      return std::nullopt;
    }
    const auto& data = r->responses[0].partitions[0];
    if (data.error_code == P::code(P::kafka_error::offset_out_of_range) &&
        data.log_start_offset > offset) {
      offset = data.log_start_offset;  // removed by retention: the oldest left is next
      continue;
    }
    if (data.error_code != 0) {
      return std::nullopt;
    }
    return first_timestamp_from(data.records.memory, offset);
  }
  return std::nullopt;
}

}  // namespace

int run_group_describe(const group_options& o, std::ostream& out, std::ostream& err) {
  const std::string& group = o.groups.front();
  auto fail = [&](const std::string& message) {
    err << "brook group describe: " << message << "\n";
    return 1;
  };
  auto cl = cluster_of(o);
  auto at = describe_at_coordinator(cl, group);
  if (!at) {
    return fail(at.error());
  }
  kafka_client& c = *at->coordinator;
  const auto& described = at->group;
  if (described.group_state == "Dead") {
    return fail(fmt::format("group {} does not exist", group));
  }
  std::vector<member_view> members;
  std::map<topic_partition, int> owner;
  for (const auto& m : described.members) {
    auto& view = members.emplace_back();
    view.member_id = m.member_id;
    view.group_instance_id = m.group_instance_id;
    view.client_id = m.client_id;
    view.client_host = m.client_host;
    if (described.protocol_type == "consumer" && !m.member_assignment.empty()) {
      if (auto a = P::parse_consumer_assignment(m.member_assignment); a) {
        view.assignment = std::move(a->partitions);
      }
    }
    for (const auto& [topic, partitions] : view.assignment) {
      for (int32_t p : partitions) {
        owner[{topic, p}] = static_cast<int>(members.size() - 1);
      }
    }
  }
  std::map<topic_partition, measured_lag> measured;
  auto committed = committed_offsets(c, group, nullptr, o.client_side_lag ? nullptr : &measured);
  if (!committed) {
    return fail(committed.error());
  }

  std::map<topic_partition, partition_view> partitions;
  for (const auto& [tp, offset] : *committed) {
    partitions[tp].committed = offset;
  }
  for (const auto& [tp, index] : owner) {
    partitions[tp].member = index;
  }
  std::set<std::string> topic_set;
  std::vector<topic_partition> parts;  // those the broker did not measure
  for (auto& [tp, view] : partitions) {
    view.tp = tp;
    auto m = measured.find(tp);
    if (m != measured.end() && view.committed) {
      view.log_end = m->second.log_end;
      view.lag = std::max<int64_t>(0, m->second.log_end - *view.committed);
      if (m->second.lag_ms) {
        view.lag_seconds = static_cast<double>(*m->second.lag_ms) / 1000.0;
      }
      continue;
    }
    topic_set.insert(tp.first);
    parts.push_back(tp);
  }
  if (!parts.empty()) {
    auto md = cl.metadata({topic_set.begin(), topic_set.end()});
    if (!md) {
      return fail(md.error());
    }
    auto ends = list_offsets(cl, parts, -1);
    if (!ends) {
      return fail(ends.error());
    }
    int64_t now = wall_clock_ms();
    for (const auto& tp : parts) {
      auto& view = partitions[tp];
      const auto& end = (*ends)[tp];
      if (end.error_code != 0) {
        err << fmt::format("brook group describe: log end offset of {}-{}: {}\n", tp.first,
                           tp.second, explain(end.error_code));
        continue;
      }
      view.log_end = end.offset;
      if (!view.committed) {
        continue;
      }
      view.lag = std::max<int64_t>(0, end.offset - *view.committed);
      if (*view.lag == 0) {
        view.lag_seconds = 0;
      } else if (auto ts = record_timestamp_at(cl, tp, *view.committed); ts) {
        view.lag_seconds = static_cast<double>(std::max<int64_t>(0, now - *ts)) / 1000.0;
      }
    }
  }

  std::string protocol = described.protocol_data;
  if (o.json) {
    std::string member_items;
    for (const auto& m : members) {
      std::string assignment;
      for (const auto& [topic, ps] : m.assignment) {
        assignment +=
            fmt::format(R"({}{{"topic":{},"partitions":[{}]}})", assignment.empty() ? "" : ",",
                        json_writer::quoted(topic), fmt::join(ps, ","));
      }
      member_items += fmt::format(
          R"({}{{"member_id":{},"group_instance_id":{},"client_id":{},"client_host":{},)"
          R"("assignment":[{}]}})",
          member_items.empty() ? "" : ",", json_writer::quoted(m.member_id),
          m.group_instance_id ? json_writer::quoted(*m.group_instance_id) : "null",
          json_writer::quoted(m.client_id), json_writer::quoted(m.client_host), assignment);
    }
    std::string partition_items;
    for (const auto& [tp, v] : partitions) {
      const member_view* m = v.member >= 0 ? &members[static_cast<size_t>(v.member)] : nullptr;
      partition_items += fmt::format(
          R"({}{{"topic":{},"partition":{},"committed_offset":{},"log_end_offset":{},)"
          R"("lag":{},"lag_seconds":{},"member_id":{},"client_id":{},"client_host":{}}})",
          partition_items.empty() ? "" : ",", json_writer::quoted(tp.first), tp.second,
          json_or_null(v.committed), json_or_null(v.log_end), json_or_null(v.lag),
          v.lag_seconds ? fmt::format("{:.3f}", *v.lag_seconds) : "null",
          m ? json_writer::quoted(m->member_id) : "null",
          m ? json_writer::quoted(m->client_id) : "null",
          m ? json_writer::quoted(m->client_host) : "null");
    }
    out << fmt::format(
        R"({{"group":{},"state":{},"protocol_type":{},"protocol":{},"coordinator":{},)"
        R"("members":[{}],"partitions":[{}]}})"
        "\n",
        json_writer::quoted(group), json_writer::quoted(described.group_state),
        json_writer::quoted(described.protocol_type), json_writer::quoted(protocol),
        json_writer::quoted(c.address()), member_items, partition_items);
    return 0;
  }

  out << fmt::format("group {}: state {}, protocol {}{}, {} member{}, coordinator {}\n", group,
                     described.group_state,
                     described.protocol_type.empty() ? "-" : described.protocol_type,
                     protocol.empty() ? "" : " (" + protocol + ")", members.size(),
                     members.size() == 1 ? "" : "s", c.address());
  out << "\n";
  if (partitions.empty()) {
    out << "no committed offsets and no assigned partitions\n";
  } else {
    std::vector<std::vector<std::string>> rows{{"TOPIC", "PARTITION", "COMMITTED", "LOG-END", "LAG",
                                                "LAG-SECONDS", "MEMBER-ID", "CLIENT-ID", "HOST"}};
    for (const auto& [tp, v] : partitions) {
      const member_view* m = v.member >= 0 ? &members[static_cast<size_t>(v.member)] : nullptr;
      rows.push_back({tp.first, std::to_string(tp.second), text_or_dash(v.committed),
                      text_or_dash(v.log_end), text_or_dash(v.lag), seconds_text(v.lag_seconds),
                      m ? m->member_id : "-", m ? m->client_id : "-", m ? m->client_host : "-"});
    }
    print_table(out, rows);
  }
  if (!members.empty()) {
    out << "\n";
    std::vector<std::vector<std::string>> rows{
        {"MEMBER-ID", "INSTANCE-ID", "CLIENT-ID", "HOST", "ASSIGNMENT"}};
    for (const auto& m : members) {
      rows.push_back({m.member_id, m.group_instance_id.value_or("-"), m.client_id, m.client_host,
                      assignment_text(m.assignment)});
    }
    print_table(out, rows);
  }
  return 0;
}

}  // namespace brook::app::group_cli
