// `brook serve`: opens (recovering) the data directory, serves until SIGINT or SIGTERM,
// then closes every log cleanly. Its flags come from the settings table
// (server_settings.h): one per setting.
#pragma once

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "app/config.h"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace brook::app {

struct serve_options {
  std::string config_file;    // --config; empty: none
  bool print_config = false;  // --print-config: print the settings in effect and exit
  // One value and one flag per row of server_settings(), in its order.
  std::vector<std::string> values;
  std::vector<CLI::Option*> flags;
};

// Adds the `serve` subcommand to `app`, with one flag per setting; parsing fills `options`.
CLI::App* add_serve_command(CLI::App& app, serve_options& options);

// Builds the configuration (defaults, the file, the environment through `getenv`, then the
// flags given), checks it and serves, or prints it with --print-config. Configuration
// errors go to `err` and exit 2.
int run_serve_command(const serve_options& options,
                      const std::function<const char*(const char*)>& getenv, std::ostream& out,
                      std::ostream& err);

// Serves with `config` until SIGINT or SIGTERM. 0 after a clean shutdown, 1 when the data
// directory cannot be opened, is in use, or a listener cannot bind.
int run_serve(const server_config& config);

}  // namespace brook::app
