// The `brook` command line: one file per command in this folder (serve's composition is
// app/serve_command.cc).
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "app/cli/acl_command.h"
#include "app/cli/agent_command.h"
#include "app/cli/bench_command.h"
#include "app/cli/connector_command.h"
#include "app/cli/consume_command.h"
#include "app/cli/debug_command.h"
#include "app/cli/generate_command.h"
#include "app/cli/group_command.h"
#include "app/cli/produce_command.h"
#include "app/cli/topic_command.h"
#include "app/cli/user_command.h"
#include "app/cli/version_command.h"
#include "app/serve_command.h"

namespace {

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

  brook::app::serve_options serve_opts;
  auto* serve = brook::app::add_serve_command(app, serve_opts);

  brook::app::topic_options topic_opts;
  auto* topic = brook::app::add_topic_command(app, topic_opts);

  brook::app::produce_options produce_opts;
  auto* produce = brook::app::add_produce_command(app, produce_opts);

  brook::app::consume_options consume_opts;
  auto* consume = brook::app::add_consume_command(app, consume_opts);

  brook::app::group_options group_opts;
  auto* group = brook::app::add_group_command(app, group_opts);

  brook::app::user_options user_opts;
  auto* user = brook::app::add_user_command(app, user_opts);

  brook::app::acl_options acl_opts;
  auto* acl = brook::app::add_acl_command(app, acl_opts);

  brook::app::connector_options connector_opts;
  auto* connector = brook::app::add_connector_command(app, connector_opts);

  brook::app::agent_options agent_opts;
  auto* agent = brook::app::add_agent_command(app, agent_opts);

  brook::app::generate_options generate_opts;
  auto* generate = brook::app::add_generate_command(app, generate_opts);

  brook::app::bench_options bench_opts;
  auto* bench = brook::app::add_bench_command(app, bench_opts);

  brook::app::debug_options debug_opts;
  auto* debug = brook::app::add_debug_command(app, debug_opts);

  bool version_requested = false;
  brook::app::add_version_command(app, version_requested);

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

  if (version_requested) {
    return brook::app::run_version(std::cout);
  }
  if (topic->parsed()) {
    return brook::app::run_topic(topic_opts, std::cout, std::cerr);
  }
  if (produce->parsed()) {
    return brook::app::run_produce_command(produce_opts, std::cin, std::cout, std::cerr);
  }
  if (consume->parsed()) {
    return brook::app::run_consume_command(consume_opts, std::cout, std::cerr);
  }
  if (group->parsed()) {
    return brook::app::run_group(group_opts, std::cout, std::cerr);
  }
  if (user->parsed()) {
    return brook::app::run_user(user_opts, std::cin, std::cout, std::cerr);
  }
  if (acl->parsed()) {
    return brook::app::run_acl(acl_opts, std::cout, std::cerr);
  }
  if (connector->parsed()) {
    return brook::app::run_connector(connector_opts, std::cout, std::cerr);
  }
  if (agent->parsed()) {
    return brook::app::run_agent(agent_opts, std::cout, std::cerr);
  }
  if (generate->parsed()) {
    return brook::app::run_generate_command(generate_opts, std::cout, std::cerr);
  }
  if (bench->parsed()) {
    return brook::app::run_bench(bench_opts, std::cout, std::cerr);
  }
  if (debug->parsed()) {
    return brook::app::run_debug(debug_opts, std::cout);
  }
  if (serve->parsed()) {
    return brook::app::run_serve_command(
        serve_opts, [](const char* n) { return std::getenv(n); }, std::cout, std::cerr);
  }
  std::cerr << "brook: a command is required. Commands: " << command_names(app)
            << "\nRun 'brook --help' for more information.\n";
  return 2;
}
