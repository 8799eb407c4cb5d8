#include "app/cli/connector_command.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <map>
#include <ostream>

#include "app/cli/group_cli.h"
#include "app/cli/key_value.h"
#include "app/cli/rest_call.h"
#include "base/json_writer.h"

namespace brook::app {

namespace {

outcome<rest_reply> call(const connector_options& o, std::string method, const std::string& path,
                         std::string body = {}) {
  return rest_call(o.target, std::move(method), path, std::move(body));
}

// The configuration of create/update: --file (a JSON object of strings, or Connect's
// {"name":..,"config":{..}}) and then the --config KEY=VALUE pairs over it.
outcome<std::map<std::string, std::string>> config_of(const connector_options& o) {
  std::map<std::string, std::string> config;
  if (!o.file.empty()) {
    auto text = read_text_file(o.file, "--file");
    if (!text) {
      return failure(text.error());
    }
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    simdjson::dom::object obj;
    if (parser.parse(*text).get(root) != simdjson::SUCCESS || root.get(obj) != simdjson::SUCCESS) {
      return failure(fmt::format("--file: {} is not a JSON object", o.file));
    }
    simdjson::dom::object inner;
    if (root["config"].get(inner) == simdjson::SUCCESS) {
      obj = inner;
    }
    for (auto [k, v] : obj) {
      std::string_view s;
      if (v.get(s) == simdjson::SUCCESS) {
        config[std::string(k)] = std::string(s);
      } else if (v.is_number() || v.is_bool()) {
        config[std::string(k)] = simdjson::to_string(v);
      } else {
        return failure(fmt::format("--file: the value of {} is not a string", std::string(k)));
      }
    }
  }
  for (const auto& kv : o.configs) {
    auto [k, v] = split_key_value(kv);
    config[k] = std::move(v);
  }
  return config;
}

std::string config_json(const std::map<std::string, std::string>& config) {
  json_writer w;
  w.begin_object();
  for (const auto& [k, v] : config) {
    w.key(k).value(v);
  }
  w.end_object();
  return w.take();
}

int print_config(std::string_view body, std::ostream& out) {
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (parser.parse(body).get(obj) != simdjson::SUCCESS) {
    out << body << "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows{{"KEY", "VALUE"}};
  for (auto [k, v] : obj) {
    std::string_view s;
    rows.push_back(
        {std::string(k), v.get(s) == simdjson::SUCCESS ? std::string(s) : simdjson::to_string(v)});
  }
  group_cli::print_table(out, rows);
  return 0;
}

int run_action(const connector_options& o, std::ostream& out, std::ostream& err) {
  const std::string prefix = "brook connector " + o.action + ": ";
  const std::string path = "/connectors/" + o.name;
  auto fail = [&](const std::string& message) {
    err << prefix << message << "\n";
    return 1;
  };
  outcome<rest_reply> r = failure("");
  if (o.action == "list") {
    r = call(o, "GET", "/connectors?expand=status");
  } else if (o.action == "create" || o.action == "update") {
    auto config = config_of(o);
    if (!config) {
      err << prefix << config.error() << "\n";
      return 2;
    }
    if (o.action == "create") {
      json_writer w;
      w.begin_object().key("name").value(o.name).key("config").raw(config_json(*config));
      w.end_object();
      r = call(o, "POST", "/connectors", w.take());
    } else {
      r = call(o, "PUT", path + "/config", config_json(*config));
    }
  } else if (o.action == "config") {
    r = call(o, "GET", path + "/config");
  } else if (o.action == "status") {
    r = call(o, "GET", path + "/status");
  } else if (o.action == "pause" || o.action == "resume") {
    r = call(o, "PUT", path + "/" + o.action);
  } else if (o.action == "restart") {
    r = call(o, "POST", path + "/restart");
  } else {
    r = call(o, "DELETE", path);
  }
  if (!r) {
    return fail(r.error());
  }
  if (r->status >= 300) {
    return fail(rest_error_text(*r));
  }
  if (o.json) {
    out << (r->body.empty() ? "{}" : r->body) << "\n";
    return 0;
  }
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (o.action == "list") {
    std::vector<std::vector<std::string>> rows{{"CONNECTOR", "STATE", "TYPE"}};
    simdjson::dom::object all;
    if (parser.parse(r->body).get(all) == simdjson::SUCCESS) {
      for (auto [name, v] : all) {
        simdjson::dom::element task;
        std::string state = "-";
        if (v["status"]["tasks"].at(0).get(task) == simdjson::SUCCESS) {
          state = json_text(task, "state");
        }
        rows.push_back({std::string(name), state, json_text(v["status"].value_unsafe(), "type")});
      }
    }
    group_cli::print_table(out, rows);
    return 0;
  }
  if (o.action == "config") {
    return print_config(r->body, out);
  }
  if (o.action == "status") {
    simdjson::dom::element task;
    if (parser.parse(r->body).get(root) != simdjson::SUCCESS ||
        root["tasks"].at(0).get(task) != simdjson::SUCCESS) {
      out << r->body << "\n";
      return 0;
    }
    out << fmt::format("connector {}: {} (group {})\n", o.name, json_text(task, "state"),
                       json_text(root, "group"));
    std::string_view who;
    if (root["principal"].get(who) == simdjson::SUCCESS) {
      out << "acts as: " << who << "\n";
    }
    std::string_view trace;
    if (task["trace"].get(trace) == simdjson::SUCCESS) {
      out << "error: " << trace << "\n";
    }
    std::string_view last;
    if (root["last_error"].get(last) == simdjson::SUCCESS) {
      out << "retrying after: " << last << "\n";
    }
    out << fmt::format("records written {}, rejected {}, dead-lettered {}, retries {}\n",
                       json_text(root, "records_written"), json_text(root, "records_rejected"),
                       json_text(root, "records_dead_lettered"), json_text(root, "retries"));
    return 0;
  }
  if (o.action == "create" || o.action == "update") {
    out << fmt::format("connector {} {}\n", o.name, r->status == 201 ? "created" : "reconfigured");
    return 0;
  }
  out << fmt::format("connector {}: {} done\n", o.name, o.action);
  return 0;
}

}  // namespace

CLI::App* add_connector_command(CLI::App& app, connector_options& o) {
  auto* cmd =
      app.add_subcommand("connector",
                         "Connectors (sinks): list, create, update, config, status, pause, resume, "
                         "restart, delete (Kafka Connect's REST API)");
  cmd->require_subcommand(1);
  auto common = [&o](CLI::App* sub) {
    add_rest_target_options(sub, o.target,
                            "The HTTP listener of brook serve (or a Connect worker)");
    sub->add_flag("--json", o.json, "Print the API's JSON answer");
  };
  auto with_name = [&](const char* name, const char* help) {
    auto* sub = cmd->add_subcommand(name, help);
    common(sub);
    sub->add_option("name", o.name, "Connector name")->required()->type_name("NAME");
    sub->callback([&o, name] { o.action = name; });
    return sub;
  };
  auto* list = cmd->add_subcommand("list", "Every connector and its state");
  common(list);
  list->callback([&o] { o.action = "list"; });
  for (const char* name : {"create", "update"}) {
    auto* sub = with_name(name, std::string_view(name) == "create"
                                    ? "Create a connector from --config pairs and/or --file"
                                    : "Replace a connector's configuration (created if absent)");
    sub->add_option("--config", o.configs, "KEY=VALUE (repeatable)")->type_name("KEY=VALUE");
    sub->add_option("--file", o.file,
                    "JSON file: the configuration, or Connect's {\"name\":..,\"config\":{..}}")
        ->type_name("PATH");
  }
  with_name("config", "A connector's configuration (credentials hidden)");
  with_name("status", "A connector's state, its error, and what it wrote");
  with_name("pause", "Stop reading (committing what is written first)");
  with_name("resume", "Read again after a pause");
  with_name("restart", "Start over from what the destination holds (also after FAILED)");
  with_name("delete", "Stop and remove a connector (its output stays)");
  return cmd;
}

done validate_connector_options(connector_options& o) {
  if (auto valid = check_rest_target(o.target); !valid) {
    return valid;
  }
  if (auto valid = check_key_values(o.configs, "--config", "KEY=VALUE"); !valid) {
    return valid;
  }
  if ((o.action == "create" || o.action == "update") && o.configs.empty() && o.file.empty()) {
    return failure("give the configuration with --config KEY=VALUE or --file");
  }
  return {};
}

int run_connector(connector_options o, std::ostream& out, std::ostream& err) {
  if (auto valid = validate_connector_options(o); !valid) {
    err << "brook connector " << o.action << ": " << valid.error() << "\n";
    return 2;
  }
  return run_action(o, out, err);
}

}  // namespace brook::app
