// The `brook` command line.
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "app/bench_command.h"
#include "app/dump_log_command.h"
#include "app/group_command.h"
#include "app/serve_command.h"

namespace {

constexpr std::string_view version = BROOK_VERSION;

// "serve, group, bench, debug, version": the commands, in --help order.
std::string command_names(CLI::App& app) {
  std::string out;
  for (const auto* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    out += (out.empty() ? "" : ", ") + sub->get_name();
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Brook: a Kafka-compatible event streaming platform in one binary"};
  app.require_subcommand(0, 1);
  bool show_version = false;
  app.add_flag("--version", show_version, "Print the version and exit");

  brook::app::serve_options serve_opts;
  auto* serve = brook::app::add_serve_command(app, serve_opts);

  brook::app::group_options group_opts;
  auto* group = brook::app::add_group_command(app, group_opts);

  brook::app::bench_options bench_opts;
  auto* bench = brook::app::add_bench_command(app, bench_opts);

  auto* debug = app.add_subcommand("debug", "Inspect data files");
  debug->require_subcommand(1);
  auto* dump =
      debug->add_subcommand("dump-log", "Print the batches of a segment and check its indexes");
  std::string dump_path;
  brook::app::dump_options dump_opts;
  dump->add_option("path", dump_path, "A segment .log, .index or .timeindex file")
      ->required()
      ->type_name("PATH");
  dump->add_flag("--print-data", dump_opts.print_records,
                 "Print each record's key, value and headers");

  auto* version_command = app.add_subcommand("version", "Print the version");

  // A first word that names no command is reported as such (CLI11 would only say that a
  // subcommand is required).
  if (argc > 1 && argv[1][0] != '-') {
    auto subs = app.get_subcommands([&](CLI::App* s) { return s->check_name(argv[1]); });
    if (subs.empty()) {
      std::cerr << "brook: unknown command '" << argv[1] << "'. Commands: " << command_names(app)
                << "\nRun 'brook --help' for more information.\n";
      return 2;
    }
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ExtrasError&) {
    // CLI11 lists the arguments nobody took last first; list them as given.
    std::string extras;
    for (auto* a = &app; a != nullptr;) {
      for (const auto& arg : a->remaining()) {
        extras += " " + arg;
      }
      auto parsed = a->get_subcommands();
      a = parsed.empty() ? nullptr : parsed.front();
    }
    std::cerr << "The following arguments were not expected:" << extras
              << "\nRun with --help for more information.\n";
    return 2;
  } catch (const CLI::ParseError& e) {
    // --help prints and succeeds; every usage error exits 2, like a bad setting.
    return app.exit(e) == 0 ? 0 : 2;
  }

  if (show_version || version_command->parsed()) {
    std::cout << "brook " << version << "\n";
    return 0;
  }
  if (group->parsed()) {
    return brook::app::run_group(group_opts, std::cout, std::cerr);
  }
  if (bench->parsed()) {
    return brook::app::run_bench(bench_opts, std::cout, std::cerr);
  }
  if (dump->parsed()) {
    return brook::app::run_dump_log(dump_path, dump_opts, std::cout);
  }
  if (serve->parsed()) {
    return brook::app::run_serve_command(
        serve_opts, [](const char* n) { return std::getenv(n); }, std::cout, std::cerr);
  }
  std::cerr << "brook: a command is required. Commands: " << command_names(app)
            << "\nRun 'brook --help' for more information.\n";
  return 2;
}
