// `brook consume TOPIC`: prints a topic's records, with librdkafka (so it works against
// Brook and any Kafka cluster): from the beginning, the end, an offset or a time; in a
// consumer group (committing what it printed) or without one; all partitions or some; until
// a count, the end of every partition (-e), or Ctrl-C. Each record as kcat's -f format
// (record_format.h) or as a JSON line. Exit status: 0, 1 when the cluster refused or could
// not be reached, 2 for bad arguments.
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

struct consume_options {
  std::string topic;
  client_options client;
  std::string group;                // empty: no group, no commits
  std::string offset;               // beginning, end, or a number; empty: end (a group: committed)
  std::string from_time;            // ISO-8601 or epoch ms: the first record at or after it
  std::vector<int32_t> partitions;  // empty: all (without a group)
  int64_t count = 0;                // 0: no limit
  bool exit_at_end = false;         // -e
  std::string format = "%s\\n";
  bool json = false;
  int64_t timeout_ms = 10000;  // metadata and offset lookups
};

CLI::App* add_consume_command(CLI::App& app, consume_options& options);
done validate_consume_options(const consume_options& options);
int run_consume_command(const consume_options& options, std::ostream& out, std::ostream& err);

}  // namespace brook::app
