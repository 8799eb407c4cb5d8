// The `brook` command line.
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "app/bench_command.h"
#include "app/config.h"
#include "app/dump_log_command.h"
#include "app/group_command.h"
#include "app/serve_command.h"
#include "base/log.h"

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

  auto* serve = app.add_subcommand("serve", "Run the broker with its data in one directory");
  std::string config_file;
  serve->add_option("-c,--config", config_file, "TOML configuration file");
  // Flags override the file and the environment. Each maps to one configuration key.
  std::vector<std::pair<std::string, std::string>> overrides;
  struct flag {
    const char* name;
    const char* key;
    const char* help;
  };
  static const flag flags[] = {
      {"--data-dir", "data_dir", "Data directory (default ./data)"},
      {"--log-level", "log_level", "trace, debug, info, warn, error, off"},
      {"--durability", "storage.durability", "sync (fdatasync before ack) or interval"},
      {"--flush-interval-ms", "storage.flush_interval_ms",
       "Flush interval for durability=interval"},
      {"--segment-bytes", "storage.segment_bytes", "Roll segments at this size"},
      {"--segment-ms", "storage.segment_ms", "Roll segments at this age"},
      {"--retention-bytes", "storage.retention_bytes",
       "Keep at most this many bytes per partition (-1: no limit)"},
      {"--retention-ms", "storage.retention_ms", "Delete segments older than this (-1: never)"},
      {"--kafka-host", "kafka.host", "Kafka listener address (default 127.0.0.1)"},
      {"--kafka-port", "kafka.port", "Kafka listener port (default 9092; 0: any free port)"},
      {"--advertised-host", "kafka.advertised_host", "Host clients are told to connect to"},
      {"--advertised-port", "kafka.advertised_port", "Port clients are told to connect to"},
      {"--auto-create-topics", "kafka.auto_create_topics", "true or false (default true)"},
      {"--default-partitions", "kafka.default_partitions", "Partitions of auto-created topics"},
      {"--group-initial-rebalance-delay-ms", "groups.initial_rebalance_delay_ms",
       "How long a new group's first rebalance waits for more members (default 3000)"},
      {"--group-min-session-timeout-ms", "groups.min_session_timeout_ms",
       "Shortest session timeout a consumer may ask for (default 6000)"},
      {"--group-max-session-timeout-ms", "groups.max_session_timeout_ms",
       "Longest session timeout a consumer may ask for (default 1800000)"},
      {"--http-host", "http.host", "REST Proxy (HTTP) listener address (default 127.0.0.1)"},
      {"--http-port", "http.port",
       "REST Proxy (HTTP) listener port (default 8082; 0: any free port)"},
      {"--http-enabled", "http.enabled", "true or false: serve HTTP at all (default true)"},
      {"--http-request-timeout-ms", "http.request_timeout_ms",
       "A request's headers and body must arrive within this (default 30000)"},
      {"--http-max-body-bytes", "http.max_body_bytes",
       "Largest HTTP request body accepted (default 67108864)"},
      {"--consumer-idle-timeout-ms", "http.consumer_idle_timeout_ms",
       "Close REST consumer instances unused this long (default 300000)"},
      {"--offsets-retention-minutes", "groups.offsets_retention_minutes",
       "Keep an empty group's committed offsets this long (default 10080)"},
  };
  std::vector<std::string> flag_values(std::size(flags));
  for (size_t i = 0; i < std::size(flags); ++i) {
    serve->add_option(flags[i].name, flag_values[i], flags[i].help);
  }

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
  if (!serve->parsed()) {
    std::cerr << "brook: a command is required. Commands: " << command_names(app)
              << "\nRun 'brook --help' for more information.\n";
    return 2;
  }

  std::optional<std::filesystem::path> file;
  if (!config_file.empty()) {
    file = config_file;
  }
  auto loaded = brook::app::load_config(file, [](const char* n) { return std::getenv(n); });
  if (!loaded.error.empty()) {
    std::cerr << "brook: configuration: " << loaded.error << "\n";
    return 2;
  }
  for (size_t i = 0; i < std::size(flags); ++i) {
    if (serve->count(flags[i].name) > 0) {
      if (auto e = brook::app::set_config_value(loaded.config, flags[i].key, flag_values[i]);
          !e.empty()) {
        std::cerr << "brook: " << flags[i].name << ": " << e << "\n";
        return 2;
      }
    }
  }
  if (auto e = brook::app::check_server_config(loaded.config); !e.empty()) {
    std::cerr << "brook: configuration: " << e << "\n";
    return 2;
  }
  brook::log::set_level(loaded.config.log_level);
  return brook::app::run_serve(loaded.config);
}
