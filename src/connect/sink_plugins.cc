#include "connect/sink_plugins.h"

#include <fmt/format.h>

#include "connect/file_sink.h"
#include "connect/postgres_sink.h"
#include "connect/s3_sink.h"
#include "connect/source_worker.h"

namespace brook::connect {

namespace {
constexpr std::string_view file_sink_class =
    "org.apache.kafka.connect.file.FileStreamSinkConnector";
constexpr std::string_view s3_sink_class = "io.confluent.connect.s3.S3SinkConnector";
constexpr std::string_view jdbc_sink_class = "io.confluent.connect.jdbc.JdbcSinkConnector";
constexpr std::string_view datagen_class = "io.confluent.kafka.connect.datagen.DatagenConnector";
constexpr size_t max_name_length = 249;
}  // namespace

const std::vector<plugin_info>& all_plugins() {
  static const std::vector<plugin_info> plugins{
      {std::string(file_sink_class), "sink",
       "Records to local files: text lines, JSON lines or CSV, exactly once", BROOK_VERSION},
      {std::string(s3_sink_class), "sink",
       "Records to S3 (or any S3-compatible store) in the Confluent S3 connector's layout, "
       "exactly once",
       BROOK_VERSION},
      {std::string(jdbc_sink_class), "sink",
       "Records to PostgreSQL tables (insert or upsert), exactly once", BROOK_VERSION},
      {std::string(datagen_class), "source",
       "Realistic JSON events from a template into a topic, at a steady pace", BROOK_VERSION},
  };
  return plugins;
}

const plugin_info* find_plugin(std::string_view name) {
  for (const auto& p : all_plugins()) {
    std::string_view full = p.class_name;
    std::string_view simple = full.substr(full.rfind('.') + 1);
    std::string_view bare = simple;
    if (bare.ends_with("Connector")) {
      bare.remove_suffix(std::string_view("Connector").size());
    }
    if (name == full || name == simple || name == bare) {
      return &p;
    }
  }
  return nullptr;
}

bool valid_connector_name(std::string_view name) {
  if (name.empty() || name.size() > max_name_length || name == "." || name == "..") {
    return false;
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) {
      return false;
    }
  }
  return true;
}

expected<connector_plan, std::vector<std::string>> plan_connector(
    const std::string& name, const connector_config::values& values,
    const connect_environment& env) {
  auto values_with_name = values;
  values_with_name["name"] = name;
  connector_config config(values_with_name);
  if (auto given = values.find("name"); given != values.end() && given->second != name) {
    config.add_error(fmt::format("The name in the configuration ({}) is not the connector's ({})",
                                 given->second, name));
  }
  auto class_name = config.required("connector.class");
  const plugin_info* plugin = class_name.empty() ? nullptr : find_plugin(class_name);
  if (!class_name.empty() && plugin == nullptr) {
    config.add_error(
        fmt::format("Failed to find any class that implements Connector and which name matches {}",
                    class_name));
  }
  (void)config.integer("tasks.max", 1, 1, 1024);  // one task runs whatever it says
  connector_plan plan;
  const auto who = config.string("principal", "User:connector-" + name);
  if (const auto colon = who.find(':');
      colon == std::string::npos || colon == 0 || colon + 1 == who.size()) {
    config.add_error(fmt::format("principal must be TYPE:NAME (User:etl), not \"{}\"", who));
  } else {
    plan.principal = security::principal{who.substr(0, colon), who.substr(colon + 1)};
  }
  if (plugin != nullptr && plugin->class_name == datagen_class) {
    plan.type = "source";
    auto settings = datagen_settings::from(config);
    plan.start = [settings](backend::event_backend& events, bool paused) {
      return std::unique_ptr<connector_worker>(
          std::make_unique<source_worker>(events, settings, paused));
    };
  } else {
    plan.worker = worker_settings::from(config);
  }
  if (plugin != nullptr && plugin->class_name == file_sink_class) {
    auto options = file_sink_options::from(config, env.state_dir, name);
    plan.make_sink = [options]() -> sink_result<std::unique_ptr<sink>> {
      auto s = file_sink::open(options);
      if (!s) {
        return unexpected(s.error());
      }
      return std::unique_ptr<sink>(std::move(*s));
    };
  }
  if (plugin != nullptr && plugin->class_name == s3_sink_class) {
    auto options = s3_sink_options::from(config);
    plan.make_sink = [options]() -> sink_result<std::unique_ptr<sink>> {
      auto s = s3_sink::open(options);
      if (!s) {
        return unexpected(s.error());
      }
      return std::unique_ptr<sink>(std::move(*s));
    };
  }
  if (plugin != nullptr && plugin->class_name == jdbc_sink_class) {
    auto options = postgres_sink_options::from(config, name);
    plan.make_sink = [options]() -> sink_result<std::unique_ptr<sink>> {
      auto s = postgres_sink::open(options);
      if (!s) {
        return unexpected(s.error());
      }
      return std::unique_ptr<sink>(std::move(*s));
    };
  }
  if (!valid_connector_name(name)) {
    config.add_error(fmt::format(
        "Invalid connector name \"{}\": 1 to {} characters of letters, digits, '.', '_' and '-'",
        name, max_name_length));
  }
  if (!config.errors().empty()) {
    return unexpected(config.errors());
  }
  if (!plan.start) {
    plan.start = [worker = plan.worker, make_sink = plan.make_sink](backend::event_backend& events,
                                                                    bool paused) {
      return std::unique_ptr<connector_worker>(
          std::make_unique<sink_worker>(events, worker, make_sink, paused));
    };
  }
  return plan;
}

void remove_connector_state(const std::string& name, const connect_environment& env) {
  if (!valid_connector_name(name)) {
    return;
  }
  std::error_code ec;
  std::filesystem::remove(env.state_dir / file_sink_options::state_file_name(name), ec);
}

}  // namespace brook::connect
