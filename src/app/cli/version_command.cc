#include "app/cli/version_command.h"

#include <CLI/CLI.hpp>
#include <ostream>
#include <string_view>

namespace brook::app {

namespace {

constexpr std::string_view version = BROOK_VERSION;

}  // namespace

CLI::App* add_version_command(CLI::App& app, bool& requested) {
  app.add_flag("--version", requested, "Print the version and exit");
  auto* command = app.add_subcommand("version", "Print the version");
  command->callback([&requested] { requested = true; });
  return command;
}

int run_version(std::ostream& out) {
  out << "brook " << version << "\n";
  return 0;
}

}  // namespace brook::app
