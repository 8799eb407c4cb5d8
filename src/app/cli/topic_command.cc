#include "app/cli/topic_command.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <map>
#include <ostream>

#include "app/cli/group_cli.h"
#include "app/cli/group_requests.h"
#include "app/cli/kafka_cluster.h"
#include "app/cli/kafka_error_text.h"
#include "app/cli/key_value.h"
#include "base/json_writer.h"
#include "protocol/messages/create_partitions.h"
#include "protocol/messages/create_topics.h"
#include "protocol/messages/delete_topics.h"
#include "protocol/messages/describe_configs.h"
#include "protocol/messages/describe_log_dirs.h"
#include "protocol/messages/incremental_alter_configs.h"
#include "protocol/topic_name.h"

namespace brook::app {

namespace P = protocol;

namespace {

constexpr int16_t unknown_topic = 3;          // UNKNOWN_TOPIC_OR_PARTITION
constexpr int16_t topic_already_exists = 36;  // TOPIC_ALREADY_EXISTS
constexpr int8_t topic_resource = 2;          // ConfigResource type TOPIC
constexpr int8_t config_set = 0;              // IncrementalAlterConfigs SET
constexpr int8_t config_delete = 1;           // IncrementalAlterConfigs DELETE
constexpr int8_t dynamic_topic_config = 1;    // ConfigSource DYNAMIC_TOPIC_CONFIG

kafka_cluster cluster_of(const topic_options& o) {
  return kafka_cluster::with_login(o.bootstrap, o.timeout_ms, o.login);
}

// A refusal in the cluster's words: the error's name and meaning, and its message if any.
std::string refusal(int16_t code, const std::optional<std::string>& message) {
  auto text = explain(code);
  if (message && !message->empty()) {
    text += ": " + *message;
  }
  return text;
}

void add_connection(CLI::App* sub, topic_options& o) {
  add_connection_options(sub, o.bootstrap, o.timeout_ms, o.login);
  sub->add_flag("--json", o.json, "Print one JSON object instead of text");
}

// ---- list --------------------------------------------------------------------------

int run_list(const topic_options& o, std::ostream& out, std::ostream& err) {
  auto cl = cluster_of(o);
  auto md = cl.all_topics();
  if (!md) {
    err << "brook topic list: " << md.error() << "\n";
    return 1;
  }
  struct row {
    std::string name;
    size_t partitions;
    bool internal;
  };
  std::vector<row> rows;
  for (const auto& t : (*md)->topics) {
    if (t.error_code != 0 || !t.name || (t.is_internal && !o.internal)) {
      continue;
    }
    rows.push_back({*t.name, t.partitions.size(), t.is_internal});
  }
  std::sort(rows.begin(), rows.end(), [](const row& a, const row& b) { return a.name < b.name; });
  if (o.json) {
    json_writer w;
    w.begin_object().key("topics").begin_array();
    for (const auto& r : rows) {
      w.begin_object().key("name").value(r.name);
      w.key("partitions").value(static_cast<uint64_t>(r.partitions));
      w.key("internal").value(r.internal).end_object();
    }
    w.end_array().end_object();
    out << w.take() << "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> table{{"TOPIC", "PARTITIONS"}};
  for (const auto& r : rows) {
    table.push_back({r.name + (r.internal ? " (internal)" : ""), std::to_string(r.partitions)});
  }
  group_cli::print_table(out, table);
  return 0;
}

// ---- describe ----------------------------------------------------------------------

// The topic's configs: {name: (value, set on the topic rather than a default)}.
outcome<std::map<std::string, std::pair<std::string, bool>>> topic_configs(
    kafka_client& c, const std::string& topic) {
  P::describe_configs_request request;
  auto& r = request.resources.emplace_back();
  r.resource_type = topic_resource;
  r.resource_name = topic;
  r.configuration_keys.reset();  // all
  auto answer = c.call<P::describe_configs_response>(request);
  if (!answer) {
    return kafka_cluster::request_failed(c, "DescribeConfigs", answer.error());
  }
  std::map<std::string, std::pair<std::string, bool>> out;
  for (const auto& res : answer->results) {
    if (res.error_code != 0) {
      return failure(refusal(res.error_code, res.error_message));
    }
    for (const auto& e : res.configs) {
      const bool set =
          e.config_source == dynamic_topic_config || (e.config_source < 0 && !e.is_default);
      out[e.name] = {e.value.value_or(""), set};
    }
  }
  return out;
}

// Each partition's size on disk, from DescribeLogDirs asked of its leader (the sum over the
// leader's log directories). A partition whose leader does not serve DescribeLogDirs, or
// refuses it (it needs DESCRIBE on the cluster), has no size: describe shows "-" for it.
std::map<int32_t, int64_t> partition_sizes(kafka_cluster& cl, const std::string& topic,
                                           const std::vector<group_cli::topic_partition>& parts) {
  std::map<kafka_client*, std::vector<int32_t>> by_leader;
  for (const auto& p : parts) {
    if (auto c = cl.leader(p)) {
      by_leader[*c].push_back(p.second);
    }
  }
  std::map<int32_t, int64_t> sizes;
  for (const auto& [client, partitions] : by_leader) {
    P::describe_log_dirs_request request;
    auto& t = request.topics.emplace().emplace_back();
    t.topic = topic;
    t.partitions = partitions;
    auto answer = client->call<P::describe_log_dirs_response>(request);
    if (!answer || answer->error_code != 0) {
      continue;
    }
    for (const auto& dir : answer->results) {
      for (const auto& dt : dir.topics) {
        for (const auto& dp : dt.partitions) {
          if (dir.error_code == 0 && dt.name == topic && !dp.is_future_key) {
            sizes[dp.partition_index] += dp.partition_size;
          }
        }
      }
    }
  }
  return sizes;
}

int run_describe(const topic_options& o, std::ostream& out, std::ostream& err) {
  const std::string& topic = o.topics.front();
  auto cl = cluster_of(o);
  auto md = cl.metadata({topic});
  if (!md) {
    err << "brook topic describe: " << md.error() << "\n";
    return 1;
  }
  const P::metadata_response::metadata_response_topic* t = nullptr;
  for (const auto& x : (*md)->topics) {
    if (x.name == topic) {
      t = &x;
    }
  }
  if (t == nullptr || t->error_code != 0) {
    const int16_t code = t == nullptr ? unknown_topic : t->error_code;
    if (code == unknown_topic && o.if_exists) {
      return 0;
    }
    err << "brook topic describe: " << topic << ": " << explain(code) << "\n";
    return 1;
  }
  std::vector<group_cli::topic_partition> parts;
  for (const auto& p : t->partitions) {
    parts.emplace_back(topic, p.partition_index);
  }
  std::sort(parts.begin(), parts.end());
  auto earliest = group_cli::list_offsets(cl, parts, -2);
  auto latest = earliest ? group_cli::list_offsets(cl, parts, -1) : earliest;
  if (!latest) {
    err << "brook topic describe: " << latest.error() << "\n";
    return 1;
  }
  auto b = cl.bootstrap();
  auto configs = b ? topic_configs(**b, topic) : failure{b.error()};
  if (!configs) {
    err << "brook topic describe: " << configs.error() << "\n";
    return 1;
  }
  std::map<int32_t, int32_t> leaders;
  for (const auto& p : t->partitions) {
    leaders[p.partition_index] = p.leader_id;
  }
  const auto sizes = partition_sizes(cl, topic, parts);
  auto size_of = [&sizes](int32_t p) -> std::optional<int64_t> {
    auto it = sizes.find(p);
    return it == sizes.end() ? std::nullopt : std::optional<int64_t>(it->second);
  };
  auto offset_of = [](const std::map<group_cli::topic_partition, group_cli::listed_offset>& m,
                      const group_cli::topic_partition& p) -> std::optional<int64_t> {
    auto it = m.find(p);
    if (it == m.end() || it->second.error_code != 0 || it->second.offset < 0) {
      return std::nullopt;
    }
    return it->second.offset;
  };
  if (o.json) {
    json_writer w;
    w.begin_object().key("name").value(topic).key("internal").value(t->is_internal);
    w.key("partitions").begin_array();
    for (const auto& p : parts) {
      w.begin_object().key("partition").value(p.second).key("leader").value(leaders[p.second]);
      auto start = offset_of(*earliest, p);
      auto end = offset_of(*latest, p);
      w.key("log_start_offset");
      start ? (void)w.value(*start) : (void)w.null();
      w.key("log_end_offset");
      end ? (void)w.value(*end) : (void)w.null();
      w.key("records");
      start&& end ? (void)w.value(*end - *start) : (void)w.null();
      auto size = size_of(p.second);
      w.key("size_bytes");
      size ? (void)w.value(*size) : (void)w.null();
      w.end_object();
    }
    w.end_array().key("configs").begin_object();
    for (const auto& [name, v] : *configs) {
      w.key(name).begin_object().key("value").value(v.first).key("set").value(v.second);
      w.end_object();
    }
    w.end_object().end_object();
    out << w.take() << "\n";
    return 0;
  }
  out << "Topic: " << topic << (t->is_internal ? " (internal)" : "")
      << "  Partitions: " << parts.size() << "\n";
  std::string set;
  for (const auto& [name, v] : *configs) {
    if (v.second) {
      set += (set.empty() ? "" : ", ") + name + "=" + v.first;
    }
  }
  out << "Configs: " << (set.empty() ? "(defaults)" : set) << "\n";
  std::vector<std::vector<std::string>> table{
      {"PARTITION", "LEADER", "LOG-START-OFFSET", "LOG-END-OFFSET", "RECORDS", "SIZE"}};
  for (const auto& p : parts) {
    auto start = offset_of(*earliest, p);
    auto end = offset_of(*latest, p);
    table.push_back({std::to_string(p.second), std::to_string(leaders[p.second]),
                     group_cli::text_or_dash(start), group_cli::text_or_dash(end),
                     start && end ? std::to_string(*end - *start) : "-",
                     group_cli::text_or_dash(size_of(p.second))});
  }
  group_cli::print_table(out, table);
  return 0;
}

// ---- create ------------------------------------------------------------------------

int run_create(const topic_options& o, std::ostream& out, std::ostream& err) {
  const std::string& topic = o.topics.front();
  auto cl = cluster_of(o);
  auto c = cl.controller();
  if (!c) {
    err << "brook topic create: " << c.error() << "\n";
    return 1;
  }
  P::create_topics_request request;
  auto& t = request.topics.emplace_back();
  t.name = topic;
  t.num_partitions = o.partitions;
  t.replication_factor = static_cast<int16_t>(o.replication_factor);
  for (const auto& kv : o.configs) {
    auto [name, value] = split_key_value(kv);
    auto& cfg = t.configs.emplace_back();
    cfg.name = name;
    cfg.value = value;
  }
  request.timeout_ms = static_cast<int32_t>(o.timeout_ms);
  auto r = (*c)->call<P::create_topics_response>(request);
  if (!r) {
    err << "brook topic create: "
        << kafka_cluster::request_failed(**c, "CreateTopics", r.error()).error() << "\n";
    return 1;
  }
  for (const auto& res : r->topics) {
    if (res.error_code == topic_already_exists && o.if_not_exists) {
      if (!o.json) {
        out << "Topic " << topic << " exists already.\n";
      } else {
        out << fmt::format(R"({{"name":{},"created":false}})", json_writer::quoted(topic)) << "\n";
      }
      return 0;
    }
    if (res.error_code != 0) {
      err << "brook topic create: " << topic << ": " << refusal(res.error_code, res.error_message)
          << "\n";
      return 1;
    }
    if (o.json) {
      out << fmt::format(R"({{"name":{},"created":true,"partitions":{}}})",
                         json_writer::quoted(topic), res.num_partitions)
          << "\n";
    } else {
      out << "Created topic " << topic;
      if (res.num_partitions > 0) {
        out << " with " << res.num_partitions << " partition"
            << (res.num_partitions == 1 ? "" : "s");
      }
      out << ".\n";
    }
  }
  return 0;
}

// ---- alter -------------------------------------------------------------------------

int run_alter(const topic_options& o, std::ostream& out, std::ostream& err) {
  const std::string& topic = o.topics.front();
  auto cl = cluster_of(o);
  auto c = cl.controller();
  if (!c) {
    err << "brook topic alter: " << c.error() << "\n";
    return 1;
  }
  if (!o.configs.empty() || !o.delete_configs.empty()) {
    P::incremental_alter_configs_request request;
    auto& res = request.resources.emplace_back();
    res.resource_type = topic_resource;
    res.resource_name = topic;
    for (const auto& kv : o.configs) {
      auto [name, value] = split_key_value(kv);
      auto& e = res.configs.emplace_back();
      e.name = name;
      e.config_operation = config_set;
      e.value = value;
    }
    for (const auto& name : o.delete_configs) {
      auto& e = res.configs.emplace_back();
      e.name = name;
      e.config_operation = config_delete;
      e.value.reset();
    }
    auto r = (*c)->call<P::incremental_alter_configs_response>(request);
    if (!r) {
      err << "brook topic alter: "
          << kafka_cluster::request_failed(**c, "IncrementalAlterConfigs", r.error()).error()
          << "\n";
      return 1;
    }
    for (const auto& x : r->responses) {
      if (x.error_code != 0) {
        err << "brook topic alter: " << topic << ": " << refusal(x.error_code, x.error_message)
            << "\n";
        return 1;
      }
    }
  }
  if (o.partitions > 0) {
    P::create_partitions_request request;
    auto& t = request.topics.emplace_back();
    t.name = topic;
    t.count = o.partitions;
    t.assignments.reset();
    request.timeout_ms = static_cast<int32_t>(o.timeout_ms);
    auto r = (*c)->call<P::create_partitions_response>(request);
    if (!r) {
      err << "brook topic alter: "
          << kafka_cluster::request_failed(**c, "CreatePartitions", r.error()).error() << "\n";
      return 1;
    }
    for (const auto& x : r->results) {
      if (x.error_code != 0) {
        err << "brook topic alter: " << topic << ": " << refusal(x.error_code, x.error_message)
            << "\n";
        return 1;
      }
    }
  }
  if (o.json) {
    out << fmt::format(R"({{"name":{},"altered":true}})", json_writer::quoted(topic)) << "\n";
  } else {
    out << "Altered topic " << topic << ".\n";
  }
  return 0;
}

// ---- delete ------------------------------------------------------------------------

int run_delete(const topic_options& o, std::ostream& out, std::ostream& err) {
  auto cl = cluster_of(o);
  auto c = cl.controller();
  if (!c) {
    err << "brook topic delete: " << c.error() << "\n";
    return 1;
  }
  kafka_client& client = **c;
  const int16_t v = client.version_for<P::delete_topics_request>();
  if (v < 0) {
    err << "brook topic delete: " << kafka_cluster::unsupported(client, "DeleteTopics").error()
        << "\n";
    return 1;
  }
  P::delete_topics_request request;
  for (const auto& name : o.topics) {
    if (v >= 6) {
      request.topics.emplace_back().name = name;
    } else {
      request.topic_names.push_back(name);
    }
  }
  request.timeout_ms = static_cast<int32_t>(o.timeout_ms);
  auto r = client.call<P::delete_topics_response>(request, v);
  if (!r) {
    err << "brook topic delete: "
        << kafka_cluster::request_failed(client, "DeleteTopics", r.error()).error() << "\n";
    return 1;
  }
  int status = 0;
  json_writer w;
  w.begin_object().key("topics").begin_array();
  for (const auto& res : r->responses) {
    const std::string name = res.name.value_or("");
    const bool gone = res.error_code == 0;
    const bool absent_ok = res.error_code == unknown_topic && o.if_exists;
    if (!gone && !absent_ok) {
      err << "brook topic delete: " << name << ": " << refusal(res.error_code, res.error_message)
          << "\n";
      status = 1;
    } else if (!o.json) {
      out << (gone ? "Deleted topic " : "No topic ") << name << ".\n";
    }
    w.begin_object().key("name").value(name).key("deleted").value(gone);
    if (!gone) {
      w.key("error").value(std::string(explain(res.error_code)));
    }
    w.end_object();
  }
  w.end_array().end_object();
  if (o.json) {
    out << w.take() << "\n";
  }
  return status;
}

}  // namespace

CLI::App* add_topic_command(CLI::App& app, topic_options& o) {
  auto* topic = app.add_subcommand("topic", "Topics: create, list, describe, alter, delete");
  topic->require_subcommand(1);

  auto* create = topic->add_subcommand("create", "Create a topic");
  add_connection(create, o);
  create->add_option("topic", o.topics, "Topic name")->type_name("TOPIC")->required()->expected(1);
  create->add_option("--partitions", o.partitions, "Partitions (default: the broker's)")
      ->type_name("N");
  create
      ->add_option("--replication-factor", o.replication_factor,
                   "Replicas (default: the broker's; Brook has 1)")
      ->type_name("N");
  create->add_option("--config", o.configs, "A topic config, KEY=VALUE; repeatable")
      ->type_name("KEY=VALUE");
  create->add_flag("--if-not-exists", o.if_not_exists, "Succeed when the topic exists already");
  create->callback([&o] { o.action = "create"; });

  auto* list = topic->add_subcommand("list", "List the topics with their partition counts");
  add_connection(list, o);
  list->add_flag("--internal", o.internal, "Internal topics too");
  list->callback([&o] { o.action = "list"; });

  auto* describe = topic->add_subcommand(
      "describe", "A topic's partitions (leader, offsets, records) and the configs set on it");
  add_connection(describe, o);
  describe->add_option("topic", o.topics, "Topic name")
      ->type_name("TOPIC")
      ->required()
      ->expected(1);
  describe->add_flag("--if-exists", o.if_exists, "Print nothing when the topic does not exist");
  describe->callback([&o] { o.action = "describe"; });

  auto* alter = topic->add_subcommand("alter", "Change a topic's configs or add partitions");
  add_connection(alter, o);
  alter->add_option("topic", o.topics, "Topic name")->type_name("TOPIC")->required()->expected(1);
  alter->add_option("--partitions", o.partitions, "The new partition count (only grows)")
      ->type_name("N");
  alter->add_option("--config", o.configs, "Set a config, KEY=VALUE; repeatable")
      ->type_name("KEY=VALUE");
  alter->add_option("--delete-config", o.delete_configs, "Back to the default; repeatable")
      ->type_name("KEY");
  alter->callback([&o] { o.action = "alter"; });

  auto* del = topic->add_subcommand("delete", "Delete topics and their records");
  add_connection(del, o);
  del->add_option("topics", o.topics, "Topic names")->type_name("TOPIC")->required();
  del->add_flag("--if-exists", o.if_exists, "Succeed when a topic does not exist");
  del->callback([&o] { o.action = "delete"; });
  return topic;
}

done validate_topic_options(const topic_options& o) {
  if (auto valid = validate_connection(o.bootstrap, o.login); !valid) {
    return valid;
  }
  for (const auto& t : o.topics) {
    if (auto valid = P::validate_topic_name(t); !valid) {
      return failure(fmt::format("'{}' is not a valid topic name: {}", t, valid.error().message));
    }
  }
  if (auto valid = check_key_values(o.configs, "--config", "KEY=VALUE"); !valid) {
    return valid;
  }
  for (const auto& k : o.delete_configs) {
    if (k.empty() || k.find('=') != std::string::npos) {
      return failure(fmt::format("--delete-config: '{}' is not a config name", k));
    }
  }
  if (o.action == "create" && (o.partitions == 0 || o.partitions < -1)) {
    return failure(
        fmt::format("--partitions: {} is not a partition count (1 or more)", o.partitions));
  }
  if (o.action == "create" && (o.replication_factor == 0 || o.replication_factor < -1 ||
                               o.replication_factor > INT16_MAX)) {
    return failure(fmt::format("--replication-factor: {} is not a replica count (1 or more)",
                               o.replication_factor));
  }
  if (o.action == "alter") {
    if (o.partitions == 0 || o.partitions < -1) {
      return failure(
          fmt::format("--partitions: {} is not a partition count (1 or more)", o.partitions));
    }
    if (o.partitions < 0 && o.configs.empty() && o.delete_configs.empty()) {
      return failure("nothing to alter: give --partitions, --config or --delete-config");
    }
  }
  return {};
}

int run_topic(const topic_options& o, std::ostream& out, std::ostream& err) {
  if (auto valid = validate_topic_options(o); !valid) {
    err << "brook topic " << o.action << ": " << valid.error() << "\n";
    return 2;
  }
  if (o.action == "list") {
    return run_list(o, out, err);
  }
  if (o.action == "describe") {
    return run_describe(o, out, err);
  }
  if (o.action == "create") {
    return run_create(o, out, err);
  }
  if (o.action == "alter") {
    return run_alter(o, out, err);
  }
  return run_delete(o, out, err);
}

}  // namespace brook::app
