// `brook topic create|list|describe|alter|delete`: topic administration over the Kafka
// protocol (CreateTopics, Metadata, ListOffsets, DescribeConfigs, IncrementalAlterConfigs,
// CreatePartitions, DeleteTopics), so the same commands work against Brook and any Kafka
// cluster. Text tables on a terminal, or one JSON object with --json. Exit status: 0 done,
// 1 the cluster refused or could not be reached, 2 bad arguments.
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

struct topic_options {
  std::string action;  // create, list, describe, alter or delete
  std::string bootstrap = "127.0.0.1:9092";
  int64_t timeout_ms = 10000;  // connect, and each request
  kafka_login login;
  bool json = false;
  std::vector<std::string> topics;          // create, describe, alter: one; delete: one or more
  int32_t partitions = -1;                  // create: -1 the broker's default; alter: the new total
  int32_t replication_factor = -1;          // create: -1 the broker's default
  std::vector<std::string> configs;         // KEY=VALUE: create, alter (set)
  std::vector<std::string> delete_configs;  // alter: back to the default
  bool if_not_exists = false;               // create
  bool if_exists = false;                   // delete, describe
  bool internal = false;                    // list: internal topics too
};

// Adds `topic` and its subcommands to `app`; parsing fills `options` (action included).
CLI::App* add_topic_command(CLI::App& app, topic_options& options);

// Checks what the parser cannot; the error names the option.
done validate_topic_options(const topic_options& options);

// Runs the action: results to `out`, errors to `err`; the exit status.
int run_topic(const topic_options& options, std::ostream& out, std::ostream& err);

}  // namespace brook::app
