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

#include "app/cli/client_options.h"
#include "app/cli/command_outcome.h"

namespace CLI {
class App;
}

namespace brook::app {

struct produce_options {
  std::string topic;
  client_options client;
  std::string file;                  // empty or "-": stdin
  std::string key_separator;         // empty: no key
  std::vector<std::string> headers;  // KEY=VALUE, on every record
  int32_t partition = -1;            // -1: the partitioner's choice
  std::string acks = "all";
  bool validate_json = false;
  int64_t timeout_ms = 30000;  // how long a record may wait for its acknowledgement
  bool json = false;           // the summary as JSON on stdout
};

CLI::App* add_produce_command(CLI::App& app, produce_options& options);
done validate_produce_options(const produce_options& options);
int run_produce_command(const produce_options& options, std::istream& input, std::ostream& out,
                        std::ostream& err);

}  // namespace brook::app
