// `brook agent register|list|show|update|rotate|disable|enable|delete|login`: the agent registry
// of a `brook serve` (doc/registry.md) through its HTTP API (/v1/agents on --url, default
// http://127.0.0.1:8082), logged in with HTTP Basic as the owner (--user, the password from
// BROOK_HTTP_PASSWORD or --password). register, rotate and enable print the new password
// once, with the settings kcat and confluent-kafka need to connect as the agent to
// --bootstrap. login is the agent's own key login (--private-key; no --user needed): it
// prints the token. Text on a terminal, or the API's JSON with --json. Exit status: 0 done,
// 1 refused or unreachable, 2 bad arguments.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>

#include "app/cli/command_outcome.h"
#include "app/cli/rest_call.h"

namespace CLI {
class App;
}

namespace brook::app {

struct agent_options {
  std::string action;
  rest_target target;
  bool json = false;
  std::string id;  // every action on one agent
  // register (the name is positional), update (--name)
  std::string name;
  std::optional<int32_t> partitions;
  std::optional<std::string> retention_ms;  // a number of ms, -1 forever, "default"
  std::string metadata;                     // a JSON object's text
  std::string public_key;                   // a file: PEM, or base64 of the 32 raw bytes
  std::string idempotency_key;
  std::string private_key;    // login: a file, the agent's Ed25519 private key in PEM
  bool delete_topic = false;  // delete
  // How the printed settings reach the broker.
  std::string bootstrap = "127.0.0.1:9092";
  std::string security_protocol = "SASL_PLAINTEXT";
};

CLI::App* add_agent_command(CLI::App& app, agent_options& options);
// Checks the options (and trims the URL).
done validate_agent_options(agent_options& options);
int run_agent(agent_options options, std::ostream& out, std::ostream& err);

}  // namespace brook::app
