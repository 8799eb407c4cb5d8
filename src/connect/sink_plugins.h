// sink_plugins: the connectors Brook runs, by Kafka Connect class name (so configurations
// written for Connect name them unchanged), and the one place a connector's configuration
// is checked and turned into what a sink_worker runs.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.h"
#include "connect/connector_config.h"
#include "connect/connector_worker.h"
#include "connect/sink_worker.h"
#include "security/authorizer.h"
#include "security/principal.h"

namespace brook::connect {

struct plugin_info {
  std::string class_name;  // Connect's fully qualified name
  std::string type;        // "sink" or "source"
  std::string description;
  std::string version;  // Brook's
};

// Every plugin, as GET /connector-plugins lists them.
const std::vector<plugin_info>& all_plugins();

// The plugin `name` names: its class name, the class's simple name, or that without the
// "Connector" suffix (FileStreamSink), as Connect accepts them; nullptr for none.
const plugin_info* find_plugin(std::string_view name);

// What connectors need from the server around them.
struct connect_environment {
  // Where sinks keep their own state files (the data directory: files there are not
  // partitions, and go with the rest of the server's state).
  std::filesystem::path state_dir;
  // Decides what each connector's principal may do (the server's ACLs); null: connectors
  // act with the server's own rights (unit tests).
  const security::authorizer* authorizer = nullptr;
};

struct connector_plan {
  std::string type = "sink";      // or "source"
  security::principal principal;  // whom it acts as: `principal`, User:connector-<name>
  worker_settings worker;         // a sink's
  sink_factory make_sink;         // a sink's
  // Starts the connector's worker (a sink_worker or a source_worker).
  std::function<std::unique_ptr<connector_worker>(backend::event_backend&, bool paused)> start;
};

// Checks the configuration `values` of connector `name` (every error at once, in Connect's words)
// and answers what to run.
expected<connector_plan, std::vector<std::string>> plan_connector(
    const std::string& name, const connector_config::values& values,
    const connect_environment& env);

// Whether `name` may name a connector: 1 to 249 characters of [A-Za-z0-9._-] (it becomes
// part of file names and of the group connect-<name>).
bool valid_connector_name(std::string_view name);

// Removes what the connector `name` kept beside its destination (its state files) once it
// is deleted.
void remove_connector_state(const std::string& name, const connect_environment& env);

}  // namespace brook::connect
