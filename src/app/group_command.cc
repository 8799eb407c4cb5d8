#include "app/group_command.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <map>
#include <memory>
#include <ostream>
#include <set>
#include <thread>
#include <utility>
#include <variant>

#include "app/kafka_client.h"
#include "base/clock.h"
#include "base/json_writer.h"
#include "protocol/consumer_protocol.h"
#include "protocol/errc.h"
#include "protocol/kafka_error.h"
#include "protocol/messages/delete_groups.h"
#include "protocol/messages/describe_groups.h"
#include "protocol/messages/fetch.h"
#include "protocol/messages/find_coordinator.h"
#include "protocol/messages/list_groups.h"
#include "protocol/messages/list_offsets.h"
#include "protocol/messages/metadata.h"
#include "protocol/messages/offset_commit.h"
#include "protocol/messages/offset_fetch.h"
#include "protocol/record_batch.h"

namespace brook::app {

namespace P = protocol;

namespace {

using topic_partition = std::pair<std::string, int32_t>;

constexpr std::string_view known_states[] = {
    "Empty", "Stable",    "PreparingRebalance", "CompletingRebalance",
    "Dead",  "Assigning", "Reconciling"};

// Bytes asked for when reading the record at a committed offset (for its timestamp). A
// broker returns the whole first batch even when it is larger (KIP-74).
constexpr int32_t timestamp_fetch_bytes = 64 * 1024;

// ---------------------------------------------------------------------------------------
// Errors with a message for the user.

struct failure {
  std::string message;
};

template <typename T>
class outcome {
 public:
  outcome(T value) : _v(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  outcome(failure f) : _v(std::move(f)) {}    // NOLINT(google-explicit-constructor)
  explicit operator bool() const { return _v.index() == 0; }
  T& operator*() { return std::get<0>(_v); }
  T* operator->() { return &std::get<0>(_v); }
  const std::string& error() const { return std::get<1>(_v).message; }

 private:
  std::variant<T, failure> _v;
};

using done = outcome<std::monostate>;

std::string error_name(int16_t code) {
  auto name = P::kafka_error_name(static_cast<P::kafka_error>(code));
  if (name == "UNKNOWN") {
    return fmt::format("Kafka error code {}", code);
  }
  return std::string(name);
}

// An error code with a sentence for the ones a group administrator meets.
std::string explain(int16_t code) {
  std::string name = error_name(code);
  switch (static_cast<P::kafka_error>(code)) {
    case P::kafka_error::non_empty_group:
      return name + ": the group has active members; stop its consumers first";
    case P::kafka_error::group_id_not_found:
      return name + ": no such group";
    case P::kafka_error::invalid_group_id:
      return name + ": not a valid group id";
    case P::kafka_error::group_authorization_failed:
      return name + ": not authorized for this group";
    case P::kafka_error::coordinator_not_available:
    case P::kafka_error::coordinator_load_in_progress:
      return name + ": the group coordinator is not ready; try again";
    case P::kafka_error::not_coordinator:
      return name + ": the broker is no longer the group's coordinator; try again";
    case P::kafka_error::unknown_member_id:
    case P::kafka_error::illegal_generation:
    case P::kafka_error::rebalance_in_progress:
      return name + ": the group has active members now";
    case P::kafka_error::unknown_topic_or_partition:
      return name + ": no such topic or partition";
    default:
      return name;
  }
}

template <typename T>
std::string json_or_null(const std::optional<T>& v) {
  return v ? fmt::format("{}", *v) : "null";
}

std::string text_or_dash(const std::optional<int64_t>& v) {
  return v ? std::to_string(*v) : "-";
}

std::string seconds_text(const std::optional<double>& v) {
  return v ? fmt::format("{:.1f}", *v) : "-";
}

// Columns separated by two spaces, each as wide as its widest cell.
void print_table(std::ostream& out, const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], row[i].size());
    }
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) {
        line.append(widths[i] - row[i].size() + 2, ' ');
      }
    }
    out << line << "\n";
  }
}

std::string format_address(const std::string& host, int32_t port) {
  return host.find(':') != std::string::npos ? fmt::format("[{}]:{}", host, port)
                                             : fmt::format("{}:{}", host, port);
}

// ---------------------------------------------------------------------------------------
// The brokers: the bootstrap connection, the group coordinator, partition leaders.

class cluster {
 public:
  explicit cluster(const group_options& o) : _bootstrap(o.bootstrap) {
    _options.timeout = std::chrono::milliseconds(o.timeout_ms);
  }

  outcome<kafka_client*> bootstrap() { return connect_to(_bootstrap); }

  outcome<kafka_client*> connect_to(const std::string& address) {
    if (auto it = _clients.find(address); it != _clients.end()) {
      return it->second.get();
    }
    auto c = kafka_client::connect(address, _options);
    if (!c) {
      return failure{fmt::format("cannot connect to {}: {}", address, c.error().message())};
    }
    auto [it, inserted] = _clients.emplace(address, std::make_unique<kafka_client>(std::move(*c)));
    return it->second.get();
  }

  // Brokers and the partitions (with leaders) of `topics`; none when `topics` is empty.
  // Never creates topics.
  outcome<const P::metadata_response*> metadata(const std::vector<std::string>& topics) {
    auto b = bootstrap();
    if (!b) {
      return failure{b.error()};
    }
    kafka_client& c = **b;
    int16_t v = c.version_for<P::metadata_request>();
    if (v < 1) {
      return unsupported(c, "Metadata");
    }
    P::metadata_request request;
    request.topics.emplace();
    for (const auto& t : topics) {
      request.topics->emplace_back().name = t;
    }
    request.allow_auto_topic_creation = false;
    auto r = c.call<P::metadata_response>(request, v);
    if (!r) {
      return request_failed(c, "Metadata", r.error());
    }
    for (const auto& broker : r->brokers) {
      _brokers[broker.node_id] = format_address(broker.host, broker.port);
    }
    for (const auto& t : r->topics) {
      for (const auto& p : t.partitions) {
        _leaders[{t.name.value_or(""), p.partition_index}] = p.leader_id;
      }
    }
    _metadata = std::move(*r);
    return &_metadata;
  }

  std::vector<std::string> broker_addresses() const {
    std::vector<std::string> out;
    for (const auto& [id, address] : _brokers) {
      out.push_back(address);
    }
    return out;
  }

  // The leader of a partition named by the last metadata() call.
  outcome<kafka_client*> leader(const topic_partition& p) {
    auto it = _leaders.find(p);
    if (it == _leaders.end() || it->second < 0) {
      return failure{fmt::format("{}-{}: no leader", p.first, p.second)};
    }
    auto address = _brokers.find(it->second);
    if (address == _brokers.end()) {
      return failure{
          fmt::format("{}-{}: leader {} is not a known broker", p.first, p.second, it->second)};
    }
    return connect_to(address->second);
  }

  // The broker coordinating `group` (FindCoordinator through the bootstrap broker).
  outcome<kafka_client*> coordinator(const std::string& group) {
    if (auto it = _coordinators.find(group); it != _coordinators.end()) {
      return connect_to(it->second);
    }
    auto b = bootstrap();
    if (!b) {
      return failure{b.error()};
    }
    kafka_client& c = **b;
    int16_t v = c.version_for<P::find_coordinator_request>();
    if (v < 0) {
      return unsupported(c, "FindCoordinator");
    }
    P::find_coordinator_request request;
    request.key_type = 0;  // a group
    if (v >= 4) {
      request.coordinator_keys = {group};
    } else {
      request.key = group;
    }
    // A coordinator still loading its groups answers COORDINATOR_NOT_AVAILABLE or
    // COORDINATOR_LOAD_IN_PROGRESS for a moment: ask again until the timeout.
    auto deadline = std::chrono::steady_clock::now() + _options.timeout;
    for (;;) {
      auto r = c.call<P::find_coordinator_response>(request, v);
      if (!r) {
        return request_failed(c, "FindCoordinator", r.error());
      }
      int16_t error = r->error_code;
      std::string host = r->host;
      int32_t port = r->port;
      if (v >= 4) {
        if (r->coordinators.empty()) {
          return failure{fmt::format("{}: FindCoordinator answered no coordinator", c.address())};
        }
        error = r->coordinators[0].error_code;
        host = r->coordinators[0].host;
        port = r->coordinators[0].port;
      }
      bool retriable = error == P::code(P::kafka_error::coordinator_not_available) ||
                       error == P::code(P::kafka_error::coordinator_load_in_progress);
      if (retriable && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));  // retry backoff
        continue;
      }
      if (error != 0) {
        return failure{
            fmt::format("finding the coordinator of group {}: {}", group, explain(error))};
      }
      std::string address = format_address(host, port);
      _coordinators[group] = address;
      return connect_to(address);
    }
  }

  static failure unsupported(const kafka_client& c, std::string_view api) {
    return failure{
        fmt::format("{}: the broker supports no version of {} this tool speaks", c.address(), api)};
  }
  static failure request_failed(const kafka_client& c, std::string_view api, std::error_code ec) {
    return failure{fmt::format("{}: {} failed: {}", c.address(), api, ec.message())};
  }

 private:
  std::string _bootstrap;
  kafka_client::options _options;
  std::map<std::string, std::unique_ptr<kafka_client>> _clients;  // by HOST:PORT
  std::map<int32_t, std::string> _brokers;                        // node id -> HOST:PORT
  std::map<topic_partition, int32_t> _leaders;
  std::map<std::string, std::string> _coordinators;
  P::metadata_response _metadata;
};

// ---------------------------------------------------------------------------------------
// Requests.

outcome<P::describe_groups_response::described_group> describe_group(kafka_client& c,
                                                                     const std::string& group) {
  P::describe_groups_request request;
  request.groups = {group};
  auto r = c.call<P::describe_groups_response>(request);
  if (!r) {
    if (r.error() == make_error_code(client_errc::unsupported_api)) {
      return cluster::unsupported(c, "DescribeGroups");
    }
    return cluster::request_failed(c, "DescribeGroups", r.error());
  }
  for (auto& g : r->groups) {
    if (g.group_id == group) {
      // Classic brokers answer an unknown group with state Dead; newer ones with an error.
      if (g.error_code == P::code(P::kafka_error::group_id_not_found)) {
        g.error_code = 0;
        g.group_state = "Dead";
      }
      if (g.error_code != 0) {
        return failure{fmt::format("group {}: {}", group, explain(g.error_code))};
      }
      return std::move(g);
    }
  }
  return failure{fmt::format("{}: DescribeGroups did not answer for group {}", c.address(), group)};
}

template <typename Topic>
std::vector<Topic> offset_fetch_topics(const std::vector<topic_partition>& parts) {
  std::map<std::string, std::vector<int32_t>> by_topic;
  for (const auto& [t, p] : parts) {
    by_topic[t].push_back(p);
  }
  std::vector<Topic> out;
  for (auto& [t, ps] : by_topic) {
    auto& topic = out.emplace_back();
    topic.name = t;
    topic.partition_indexes = std::move(ps);
  }
  return out;
}

// The group's committed offsets: of `only`, or of every partition it has committed.
outcome<std::map<topic_partition, int64_t>> committed_offsets(
    kafka_client& c, const std::string& group, const std::vector<topic_partition>* only) {
  int16_t v = c.version_for<P::offset_fetch_request>();
  if (v < 0 || (only == nullptr && v < 2)) {
    return cluster::unsupported(c, "OffsetFetch");
  }
  P::offset_fetch_request request;
  if (v >= 8) {
    auto& g = request.groups.emplace_back();
    g.group_id = group;
    if (only != nullptr) {
      g.topics = offset_fetch_topics<P::offset_fetch_request::offset_fetch_request_topics>(*only);
    } else {
      g.topics.reset();
    }
  } else {
    request.group_id = group;
    if (only != nullptr) {
      request.topics =
          offset_fetch_topics<P::offset_fetch_request::offset_fetch_request_topic>(*only);
    } else {
      request.topics.reset();
    }
  }
  auto r = c.call<P::offset_fetch_response>(request, v);
  if (!r) {
    return cluster::request_failed(c, "OffsetFetch", r.error());
  }
  std::map<topic_partition, int64_t> out;
  auto take = [&](const auto& topics) -> done {
    for (const auto& t : topics) {
      for (const auto& p : t.partitions) {
        if (p.error_code != 0) {
          return failure{fmt::format("committed offset of {}-{}: {}", t.name, p.partition_index,
                                     explain(p.error_code))};
        }
        if (p.committed_offset >= 0) {
          out[{t.name, p.partition_index}] = p.committed_offset;
        }
      }
    }
    return std::monostate{};
  };
  if (v >= 8) {
    for (const auto& g : r->groups) {
      if (g.group_id != group) {
        continue;
      }
      if (g.error_code != 0) {
        return failure{
            fmt::format("committed offsets of group {}: {}", group, explain(g.error_code))};
      }
      if (auto st = take(g.topics); !st) {
        return failure{st.error()};
      }
    }
  } else {
    if (r->error_code != 0) {
      return failure{
          fmt::format("committed offsets of group {}: {}", group, explain(r->error_code))};
    }
    if (auto st = take(r->topics); !st) {
      return failure{st.error()};
    }
  }
  return out;
}

struct listed_offset {
  int64_t offset = -1;
  int16_t error_code = 0;
};

// ListOffsets for `timestamp` (-2 earliest, -1 latest, or milliseconds), each partition
// asked of its leader (cluster::metadata must have named the partitions).
outcome<std::map<topic_partition, listed_offset>> list_offsets(
    cluster& cl, const std::vector<topic_partition>& parts, int64_t timestamp) {
  std::map<kafka_client*, std::vector<topic_partition>> by_leader;
  std::map<topic_partition, listed_offset> out;
  for (const auto& p : parts) {
    auto leader = cl.leader(p);
    if (!leader) {
      out[p].error_code = P::code(P::kafka_error::leader_not_available);
      continue;
    }
    by_leader[*leader].push_back(p);
  }
  for (auto& [client, ps] : by_leader) {
    int16_t v = client->version_for<P::list_offsets_request>();
    if (v < 1) {
      return cluster::unsupported(*client, "ListOffsets");
    }
    P::list_offsets_request request;
    request.replica_id = -1;
    request.isolation_level = 0;
    std::map<std::string, std::vector<int32_t>> by_topic;
    for (const auto& [t, p] : ps) {
      by_topic[t].push_back(p);
    }
    for (const auto& [t, indexes] : by_topic) {
      auto& topic = request.topics.emplace_back();
      topic.name = t;
      for (int32_t i : indexes) {
        auto& part = topic.partitions.emplace_back();
        part.partition_index = i;
        part.timestamp = timestamp;
      }
    }
    auto r = client->call<P::list_offsets_response>(request, v);
    if (!r) {
      return cluster::request_failed(*client, "ListOffsets", r.error());
    }
    for (const auto& t : r->topics) {
      for (const auto& p : t.partitions) {
        out[{t.name, p.partition_index}] = {p.offset, p.error_code};
      }
    }
    for (const auto& p : ps) {
      if (!out.contains(p)) {
        out[p].error_code = P::code(P::kafka_error::unknown_server_error);
      }
    }
  }
  return out;
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
std::optional<int64_t> record_timestamp_at(cluster& cl, const topic_partition& p, int64_t offset) {
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

// ---------------------------------------------------------------------------------------
// list

int run_list(const group_options& o, std::ostream& out, std::ostream& err) {
  cluster cl(o);
  auto md = cl.metadata({});
  if (!md) {
    err << "brook group list: " << md.error() << "\n";
    return 1;
  }
  std::vector<std::string> states;
  for (const auto& s : o.states) {
    states.push_back(canonical_group_state(s));
  }
  struct listed {
    std::string group;
    std::string state;
    std::string protocol_type;
  };
  std::map<std::string, listed> groups;
  for (const auto& address : cl.broker_addresses()) {
    auto c = cl.connect_to(address);
    if (!c) {
      err << "brook group list: " << c.error() << "\n";
      return 1;
    }
    kafka_client& client = **c;
    int16_t v = client.version_for<P::list_groups_request>();
    if (v < 0) {
      err << "brook group list: " << cluster::unsupported(client, "ListGroups").message << "\n";
      return 1;
    }
    P::list_groups_request request;
    request.states_filter = states;  // v4+; older brokers: filtered below
    auto r = client.call<P::list_groups_response>(request, v);
    if (!r) {
      err << "brook group list: "
          << cluster::request_failed(client, "ListGroups", r.error()).message << "\n";
      return 1;
    }
    if (r->error_code != 0) {
      err << "brook group list: " << address << ": " << explain(r->error_code) << "\n";
      return 1;
    }
    std::vector<std::string> without_state;
    for (const auto& g : r->groups) {
      groups[g.group_id] = {g.group_id, g.group_state, g.protocol_type};
      if (v < 4) {
        without_state.push_back(g.group_id);
      }
    }
    // Before ListGroups v4 the state comes from DescribeGroups.
    if (!without_state.empty()) {
      P::describe_groups_request describe;
      describe.groups = without_state;
      auto d = client.call<P::describe_groups_response>(describe);
      if (d) {
        for (const auto& g : d->groups) {
          if (auto it = groups.find(g.group_id); it != groups.end() && g.error_code == 0) {
            it->second.state = g.group_state;
          }
        }
      }
    }
  }
  std::vector<listed> shown;
  for (const auto& [id, g] : groups) {
    if (states.empty() || std::find(states.begin(), states.end(), g.state) != states.end()) {
      shown.push_back(g);
    }
  }
  if (o.json) {
    std::string items;
    for (const auto& g : shown) {
      items += fmt::format(R"({}{{"group":{},"state":{},"protocol_type":{}}})",
                           items.empty() ? "" : ",", json_writer::quoted(g.group),
                           json_writer::quoted(g.state), json_writer::quoted(g.protocol_type));
    }
    out << "{\"groups\":[" << items << "]}\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows{{"GROUP", "STATE", "PROTOCOL-TYPE"}};
  for (const auto& g : shown) {
    rows.push_back({g.group, g.state.empty() ? "-" : g.state,
                    g.protocol_type.empty() ? "-" : g.protocol_type});
  }
  print_table(out, rows);
  return 0;
}

// ---------------------------------------------------------------------------------------
// describe

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

int run_describe(const group_options& o, std::ostream& out, std::ostream& err) {
  const std::string& group = o.groups.front();
  auto fail = [&](const std::string& message) {
    err << "brook group describe: " << message << "\n";
    return 1;
  };
  cluster cl(o);
  auto coordinator = cl.coordinator(group);
  if (!coordinator) {
    return fail(coordinator.error());
  }
  kafka_client& c = **coordinator;
  auto described = describe_group(c, group);
  if (!described) {
    return fail(described.error());
  }
  if (described->group_state == "Dead") {
    return fail(fmt::format("group {} does not exist", group));
  }
  std::vector<member_view> members;
  std::map<topic_partition, int> owner;
  for (const auto& m : described->members) {
    auto& view = members.emplace_back();
    view.member_id = m.member_id;
    view.group_instance_id = m.group_instance_id;
    view.client_id = m.client_id;
    view.client_host = m.client_host;
    if (described->protocol_type == "consumer" && !m.member_assignment.empty()) {
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
  auto committed = committed_offsets(c, group, nullptr);
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
  std::vector<topic_partition> parts;
  for (auto& [tp, view] : partitions) {
    view.tp = tp;
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
    for (auto& [tp, view] : partitions) {
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

  std::string protocol = described->protocol_data;
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
        json_writer::quoted(group), json_writer::quoted(described->group_state),
        json_writer::quoted(described->protocol_type), json_writer::quoted(protocol),
        json_writer::quoted(c.address()), member_items, partition_items);
    return 0;
  }

  out << fmt::format("group {}: state {}, protocol {}{}, {} member{}, coordinator {}\n", group,
                     described->group_state,
                     described->protocol_type.empty() ? "-" : described->protocol_type,
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

// ---------------------------------------------------------------------------------------
// delete

int run_delete(const group_options& o, std::ostream& out, std::ostream& err) {
  cluster cl(o);
  struct deleted {
    std::string group;
    int16_t error_code = 0;
    std::string message;  // empty when deleted
  };
  std::vector<deleted> results;
  for (const auto& group : o.groups) {
    auto& d = results.emplace_back();
    d.group = group;
    auto c = cl.coordinator(group);
    if (!c) {
      d.message = c.error();
      continue;
    }
    P::delete_groups_request request;
    request.groups_names = {group};
    auto r = (*c)->call<P::delete_groups_response>(request);
    if (!r) {
      d.message = r.error() == make_error_code(client_errc::unsupported_api)
                      ? cluster::unsupported(**c, "DeleteGroups").message
                      : cluster::request_failed(**c, "DeleteGroups", r.error()).message;
      continue;
    }
    auto it = std::find_if(r->results.begin(), r->results.end(),
                           [&](const auto& x) { return x.group_id == group; });
    if (it == r->results.end()) {
      d.message = "DeleteGroups did not answer for this group";
    } else if (it->error_code != 0) {
      d.error_code = it->error_code;
      d.message = explain(it->error_code);
    }
  }
  bool all_ok = true;
  if (o.json) {
    std::string items;
    for (const auto& d : results) {
      items += fmt::format(
          R"({}{{"group":{},"deleted":{},"error":{},"message":{}}})", items.empty() ? "" : ",",
          json_writer::quoted(d.group), d.message.empty() ? "true" : "false",
          d.error_code != 0 ? json_writer::quoted(error_name(d.error_code)) : "null",
          d.message.empty() ? "null" : json_writer::quoted(d.message));
      all_ok = all_ok && d.message.empty();
    }
    out << "{\"results\":[" << items << "]}\n";
    return all_ok ? 0 : 1;
  }
  for (const auto& d : results) {
    if (d.message.empty()) {
      out << "group " << d.group << ": deleted\n";
    } else {
      err << "brook group delete: group " << d.group << " not deleted: " << d.message << "\n";
      all_ok = false;
    }
  }
  return all_ok ? 0 : 1;
}

// ---------------------------------------------------------------------------------------
// reset-offsets

int run_reset(const group_options& o, std::ostream& out, std::ostream& err) {
  const std::string& group = o.groups.front();
  auto fail = [&](const std::string& message) {
    err << "brook group reset-offsets: " << message << "\n";
    return 1;
  };
  cluster cl(o);
  auto coordinator = cl.coordinator(group);
  if (!coordinator) {
    return fail(coordinator.error());
  }
  kafka_client& c = **coordinator;
  auto described = describe_group(c, group);
  if (!described) {
    return fail(described.error());
  }
  if (described->group_state != "Empty" && described->group_state != "Dead") {
    return fail(fmt::format(
        "group {} is {} with {} active member{}; offsets can only be reset while it has no "
        "members: stop its consumers first",
        group, described->group_state, described->members.size(),
        described->members.size() == 1 ? "" : "s"));
  }

  // The partitions named, checked against the topics' metadata.
  std::vector<topic_partitions> specs;
  std::set<std::string> topic_set;
  for (const auto& t : o.topics) {
    specs.push_back(*parse_topic_spec(t));  // validated before
    topic_set.insert(specs.back().topic);
  }
  auto md = cl.metadata({topic_set.begin(), topic_set.end()});
  if (!md) {
    return fail(md.error());
  }
  std::set<topic_partition> chosen;
  for (const auto& spec : specs) {
    const P::metadata_response::metadata_response_topic* topic = nullptr;
    for (const auto& t : (*md)->topics) {
      if (t.name.value_or("") == spec.topic) {
        topic = &t;
      }
    }
    if (topic == nullptr || topic->error_code != 0) {
      return fail(
          fmt::format("topic {}: {}", spec.topic,
                      explain(topic ? topic->error_code
                                    : P::code(P::kafka_error::unknown_topic_or_partition))));
    }
    std::set<int32_t> existing;
    for (const auto& p : topic->partitions) {
      existing.insert(p.partition_index);
    }
    if (spec.partitions.empty()) {
      for (int32_t p : existing) {
        chosen.insert({spec.topic, p});
      }
    }
    for (int32_t p : spec.partitions) {
      if (!existing.contains(p)) {
        return fail(fmt::format("topic {} has no partition {} (it has {})", spec.topic, p,
                                existing.size()));
      }
      chosen.insert({spec.topic, p});
    }
  }
  std::vector<topic_partition> parts(chosen.begin(), chosen.end());
  auto old = committed_offsets(c, group, &parts);
  if (!old) {
    return fail(old.error());
  }

  // Target offsets. A timestamp past the last record means the log end; an explicit
  // offset is kept within [earliest, latest].
  auto listed = [&](int64_t timestamp) { return list_offsets(cl, parts, timestamp); };
  std::map<topic_partition, int64_t> target;
  std::map<topic_partition, bool> clamped;
  auto check = [&](outcome<std::map<topic_partition, listed_offset>>& r,
                   std::string_view what) -> done {
    if (!r) {
      return failure{r.error()};
    }
    for (const auto& [tp, l] : *r) {
      if (l.error_code != 0) {
        return failure{fmt::format("{} offset of {}-{}: {}", what, tp.first, tp.second,
                                   explain(l.error_code))};
      }
    }
    return std::monostate{};
  };
  if (o.to_earliest || o.to_latest) {
    auto r = listed(o.to_earliest ? -2 : -1);
    if (auto st = check(r, o.to_earliest ? "earliest" : "latest"); !st) {
      return fail(st.error());
    }
    for (const auto& [tp, l] : *r) {
      target[tp] = l.offset;
    }
  } else if (!o.to_datetime.empty()) {
    int64_t ts = *parse_datetime_ms(o.to_datetime);
    auto at = listed(ts);
    auto latest = listed(-1);
    if (auto st = check(at, "timestamp"); !st) {
      return fail(st.error());
    }
    if (auto st = check(latest, "latest"); !st) {
      return fail(st.error());
    }
    for (const auto& [tp, l] : *at) {
      target[tp] = l.offset >= 0 ? l.offset : (*latest)[tp].offset;
    }
  } else {
    auto earliest = listed(-2);
    auto latest = listed(-1);
    if (auto st = check(earliest, "earliest"); !st) {
      return fail(st.error());
    }
    if (auto st = check(latest, "latest"); !st) {
      return fail(st.error());
    }
    for (const auto& tp : parts) {
      int64_t lo = (*earliest)[tp].offset;
      int64_t hi = (*latest)[tp].offset;
      int64_t want = *o.to_offset;
      target[tp] = std::clamp(want, lo, std::max(lo, hi));
      clamped[tp] = target[tp] != want;
    }
  }

  std::map<topic_partition, int16_t> commit_errors;
  if (!o.dry_run) {
    P::offset_commit_request request;
    request.group_id = group;
    request.generation_id = -1;  // not a member: an admin commit for an empty group
    request.member_id = "";
    request.retention_time_ms = -1;
    for (const auto& tp : parts) {
      if (request.topics.empty() || request.topics.back().name != tp.first) {
        request.topics.emplace_back().name = tp.first;
      }
      auto& p = request.topics.back().partitions.emplace_back();
      p.partition_index = tp.second;
      p.committed_offset = target[tp];
      p.committed_metadata = "";
    }
    auto r = c.call<P::offset_commit_response>(request);
    if (!r) {
      return fail(r.error() == make_error_code(client_errc::unsupported_api)
                      ? cluster::unsupported(c, "OffsetCommit").message
                      : cluster::request_failed(c, "OffsetCommit", r.error()).message);
    }
    for (const auto& t : r->topics) {
      for (const auto& p : t.partitions) {
        if (p.error_code != 0) {
          commit_errors[{t.name, p.partition_index}] = p.error_code;
        }
      }
    }
  }

  if (o.json) {
    std::string items;
    for (const auto& tp : parts) {
      auto before = old->find(tp);
      auto e = commit_errors.find(tp);
      items += fmt::format(
          R"({}{{"topic":{},"partition":{},"old_offset":{},"new_offset":{},"error":{}}})",
          items.empty() ? "" : ",", json_writer::quoted(tp.first), tp.second,
          before != old->end() ? std::to_string(before->second) : "null", target[tp],
          e != commit_errors.end() ? json_writer::quoted(error_name(e->second)) : "null");
    }
    out << fmt::format(R"({{"group":{},"dry_run":{},"partitions":[{}]}})"
                       "\n",
                       json_writer::quoted(group), o.dry_run ? "true" : "false", items);
  } else {
    std::vector<std::vector<std::string>> rows{{"TOPIC", "PARTITION", "OLD-OFFSET", "NEW-OFFSET"}};
    for (const auto& tp : parts) {
      auto before = old->find(tp);
      std::string note;
      if (clamped[tp]) {
        note = fmt::format(" (requested {}, outside the log)", *o.to_offset);
      }
      rows.push_back({tp.first, std::to_string(tp.second),
                      before != old->end() ? std::to_string(before->second) : "-",
                      std::to_string(target[tp]) + note});
    }
    print_table(out, rows);
    if (o.dry_run) {
      out << "dry run: no offsets committed\n";
    } else if (commit_errors.empty()) {
      out << fmt::format("committed {} offset{} for group {}\n", parts.size(),
                         parts.size() == 1 ? "" : "s", group);
    }
  }
  if (!commit_errors.empty()) {
    for (const auto& [tp, code] : commit_errors) {
      err << fmt::format("brook group reset-offsets: {}-{} not committed: {}\n", tp.first,
                         tp.second, explain(code));
    }
    return 1;
  }
  return 0;
}

void add_connection_options(CLI::App* sub, group_options& o) {
  sub->add_option("--bootstrap", o.bootstrap, "Broker address HOST:PORT")
      ->type_name("HOST:PORT")
      ->capture_default_str();
  sub->add_option("--timeout-ms", o.timeout_ms, "Connect and request timeout")
      ->type_name("MS")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{3'600'000}));
  sub->add_flag("--json", o.json, "Print one JSON object instead of text");
}

bool parse_int(std::string_view text, int64_t& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

}  // namespace

// ---------------------------------------------------------------------------------------

result<topic_partitions> parse_topic_spec(std::string_view spec) {
  topic_partitions out;
  auto colon = spec.find(':');
  out.topic = std::string(spec.substr(0, colon));
  if (out.topic.empty()) {
    return P::protocol_errc::malformed;
  }
  if (colon == std::string_view::npos) {
    return out;
  }
  std::string_view rest = spec.substr(colon + 1);
  if (rest.empty()) {
    return P::protocol_errc::malformed;
  }
  while (true) {
    auto comma = rest.find(',');
    int64_t p = 0;
    if (!parse_int(rest.substr(0, comma), p) || p < 0 || p > INT32_MAX) {
      return P::protocol_errc::malformed;
    }
    if (std::find(out.partitions.begin(), out.partitions.end(), p) == out.partitions.end()) {
      out.partitions.push_back(static_cast<int32_t>(p));
    }
    if (comma == std::string_view::npos) {
      break;
    }
    rest = rest.substr(comma + 1);
  }
  return out;
}

result<int64_t> parse_datetime_ms(std::string_view text) {
  const auto bad = P::protocol_errc::malformed;
  if (!text.empty() && std::all_of(text.begin(), text.end(), [](char ch) {
        return std::isdigit(static_cast<unsigned char>(ch)) != 0;
      })) {
    int64_t epoch_ms = 0;
    if (!parse_int(text, epoch_ms)) {
      return bad;
    }
    return epoch_ms;
  }
  if (auto ms = parse_iso8601(text)) {
    return *ms;
  }
  return bad;
}

std::string canonical_group_state(std::string_view name) {
  for (auto state : known_states) {
    if (state.size() == name.size() &&
        std::equal(state.begin(), state.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return std::string(state);
    }
  }
  return {};
}

CLI::App* add_group_command(CLI::App& app, group_options& o) {
  auto* group =
      app.add_subcommand("group", "Consumer groups: list, describe, delete, reset offsets");
  group->require_subcommand(1);

  auto* list = group->add_subcommand("list", "List the groups with their state");
  add_connection_options(list, o);
  list->add_option("--state", o.states,
                   "Only groups in this state (Empty, Stable, PreparingRebalance, "
                   "CompletingRebalance, Dead); repeatable")
      ->type_name("STATE");
  list->callback([&o] { o.action = "list"; });

  auto* describe = group->add_subcommand(
      "describe", "A group's members, and per partition its committed offset and lag");
  add_connection_options(describe, o);
  describe->add_option("group", o.groups, "Group id")->type_name("GROUP")->required()->expected(1);
  describe->callback([&o] { o.action = "describe"; });

  auto* del = group->add_subcommand("delete", "Delete groups with no active members");
  add_connection_options(del, o);
  del->add_option("groups", o.groups, "Group ids")->type_name("GROUP")->required();
  del->callback([&o] { o.action = "delete"; });

  auto* reset = group->add_subcommand("reset-offsets",
                                      "Commit new offsets for a group that has no active members");
  add_connection_options(reset, o);
  reset->add_option("group", o.groups, "Group id")->type_name("GROUP")->required()->expected(1);
  reset
      ->add_option("--topic", o.topics,
                   "TOPIC or TOPIC:P,P,... (all partitions when none); "
                   "repeatable")
      ->type_name("TOPIC[:P,...]")
      ->required();
  reset->add_flag("--to-earliest", o.to_earliest, "The first offset still in the log");
  reset->add_flag("--to-latest", o.to_latest, "The log end offset (skip everything)");
  reset
      ->add_option("--to-datetime", o.to_datetime,
                   "The first record at or after a time: ISO-8601 (2024-05-01T12:00:00Z; no "
                   "zone means UTC) or epoch milliseconds")
      ->type_name("TIME");
  reset
      ->add_option_function<int64_t>(
          "--to-offset", [&o](const int64_t& v) { o.to_offset = v; },
          "This offset, kept within the log's earliest and latest")
      ->type_name("OFFSET");
  reset->add_flag("--dry-run", o.dry_run, "Print the new offsets without committing them");
  reset->callback([&o] { o.action = "reset-offsets"; });
  return group;
}

std::string validate_group_options(const group_options& o) {
  if (!parse_host_port(o.bootstrap)) {
    return fmt::format("--bootstrap: '{}' is not HOST:PORT", o.bootstrap);
  }
  for (const auto& s : o.states) {
    if (canonical_group_state(s).empty()) {
      return fmt::format(
          "--state: unknown group state '{}' (Empty, Stable, PreparingRebalance, "
          "CompletingRebalance, Dead)",
          s);
    }
  }
  for (const auto& g : o.groups) {
    if (g.empty()) {
      return "a group id must not be empty";
    }
  }
  if (o.action != "reset-offsets") {
    return {};
  }
  for (const auto& t : o.topics) {
    if (!parse_topic_spec(t)) {
      return fmt::format("--topic: '{}' is not TOPIC or TOPIC:PARTITION,PARTITION,...", t);
    }
  }
  int targets = (o.to_earliest ? 1 : 0) + (o.to_latest ? 1 : 0) + (o.to_datetime.empty() ? 0 : 1) +
                (o.to_offset ? 1 : 0);
  if (targets != 1) {
    return "give exactly one of --to-earliest, --to-latest, --to-datetime, --to-offset";
  }
  if (!o.to_datetime.empty() && !parse_datetime_ms(o.to_datetime)) {
    return fmt::format(
        "--to-datetime: '{}' is neither an ISO-8601 date-time (2024-05-01T12:00:00Z) nor "
        "epoch milliseconds",
        o.to_datetime);
  }
  if (o.to_offset && *o.to_offset < 0) {
    return fmt::format("--to-offset: {} is negative", *o.to_offset);
  }
  return {};
}

int run_group(const group_options& o, std::ostream& out, std::ostream& err) {
  if (auto e = validate_group_options(o); !e.empty()) {
    err << "brook group " << o.action << ": " << e << "\n";
    return 2;
  }
  if (o.action == "list") {
    return run_list(o, out, err);
  }
  if (o.action == "describe") {
    return run_describe(o, out, err);
  }
  if (o.action == "delete") {
    return run_delete(o, out, err);
  }
  return run_reset(o, out, err);
}

}  // namespace brook::app
