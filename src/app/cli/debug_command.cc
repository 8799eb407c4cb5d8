#include "app/cli/debug_command.h"

#include <CLI/CLI.hpp>

namespace brook::app {

CLI::App* add_debug_command(CLI::App& app, debug_options& o) {
  auto* debug = app.add_subcommand("debug", "Inspect data files");
  debug->require_subcommand(1);
  auto* dump =
      debug->add_subcommand("dump-log", "Print the batches of a segment and check its indexes");
  dump->add_option("path", o.dump_path, "A segment .log, .index or .timeindex file")
      ->required()
      ->type_name("PATH");
  dump->add_flag("--print-data", o.dump.print_records,
                 "Print each record's key, value and headers");
  return debug;
}

int run_debug(const debug_options& o, std::ostream& out) {
  return run_dump_log(o.dump_path, o.dump, out);
}

}  // namespace brook::app
