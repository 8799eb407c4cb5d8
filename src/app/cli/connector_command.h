// `brook connector list|create|update|config|status|pause|resume|restart|delete`: the
// connectors of a `brook serve` (sinks), through Kafka Connect's REST API on its HTTP
// listener (--url, default http://127.0.0.1:8082), so the same commands work against a
// Kafka Connect worker's REST port. Logs in with HTTP Basic when --user is given (the
// password from BROOK_HTTP_PASSWORD or --password). Text on a terminal, or JSON with
// --json. Exit status: 0 done, 1 refused or unreachable, 2 bad arguments.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "app/cli/command_outcome.h"
#include "app/cli/rest_call.h"

namespace CLI {
class App;
}

namespace brook::app {

struct connector_options {
  std::string action;
  rest_target target;
  bool json = false;
  std::string name;
  std::vector<std::string> configs;  // KEY=VALUE (create, update)
  std::string file;                  // create, update: a JSON file of the configuration
};

CLI::App* add_connector_command(CLI::App& app, connector_options& options);
// Checks the options (and trims the URL).
done validate_connector_options(connector_options& options);
int run_connector(connector_options options, std::ostream& out, std::ostream& err);

}  // namespace brook::app
