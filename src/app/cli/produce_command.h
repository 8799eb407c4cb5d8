// `brook produce TOPIC`: one record per line of stdin or a file, with librdkafka (so it
// works against Brook and any Kafka cluster): an optional key before a separator, headers,
// a fixed partition, acks, and a check that each value is JSON. On a terminal a progress
// line shows records/s for large inputs. Every record is waited for; exit status 0 when all
// were acknowledged, 1 when any failed (the first reason is printed) or an input line was
// refused, 2 for bad arguments.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "app/cli/command_outcome.h"
#include "app/cli/kafka_login.h"

namespace CLI {
class App;
}

namespace brook::app {

struct produce_options {
  std::string topic;
  std::string bootstrap = "127.0.0.1:9092";
  kafka_login login;
  std::vector<std::string> properties;  // -X NAME=VALUE for librdkafka
  std::string file;                     // empty or "-": stdin
  std::string key_separator;            // empty: no key
  std::vector<std::string> headers;     // KEY=VALUE, on every record
  int32_t partition = -1;               // -1: the partitioner's choice
  std::string acks = "all";
  bool validate_json = false;
  int64_t timeout_ms = 30000;  // how long a record may wait for its acknowledgement
  bool json = false;           // the summary as JSON on stdout
};

CLI::App* add_produce_command(CLI::App& app, produce_options& options);
done validate_produce_options(const produce_options& options);
int run_produce_command(const produce_options& options, std::istream& input, std::ostream& out,
                        std::ostream& err);

// The librdkafka properties of a `brook` client: bootstrap.servers, the SASL login (over
// SASL_PLAINTEXT unless -X security.protocol says otherwise), then the -X properties.
std::vector<std::pair<std::string, std::string>> client_properties(
    const std::string& bootstrap, const kafka_login& login, const std::vector<std::string>& extra);

}  // namespace brook::app
