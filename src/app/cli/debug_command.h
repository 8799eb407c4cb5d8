// `brook debug dump-log PATH [--print-data]`: tools that read data files
// (dump_log_command.h).
#pragma once

#include <iosfwd>
#include <string>

#include "app/cli/dump_log_command.h"

namespace CLI {
class App;
}

namespace brook::app {

struct debug_options {
  std::string dump_path;
  dump_options dump;
};

// Adds `debug` and its subcommands to `app`; parsing fills `options`.
CLI::App* add_debug_command(CLI::App& app, debug_options& options);

// Runs the subcommand parsed; returns the exit status.
int run_debug(const debug_options& options, std::ostream& out);

}  // namespace brook::app
