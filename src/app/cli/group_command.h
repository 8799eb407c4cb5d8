// `brook group list|describe|delete|reset-offsets`: consumer-group administration over the
// Kafka protocol (kafka_cluster), so it works against Brook and against any Kafka cluster.
// This file parses and checks the arguments; each action is a file of its own
// (group_list.cc, group_describe.cc, group_delete.cc, group_reset_offsets.cc, sharing
// group_cli.h and group_requests.h).
//
//   list           ListGroups on every broker: group id, state, protocol type
//   describe G     DescribeGroups + OffsetFetch + ListOffsets (+ one small Fetch per lagging
//                  partition for the age of its oldest unconsumed record): per partition the
//                  committed offset, log end offset, lag in records and in seconds, owner
//   delete G...    DeleteGroups; refused by the broker while a group has members
//   reset-offsets  commits new offsets (earliest, latest, at a time, or given) for a group
//                  with no active members; --dry-run only prints them
//
// Text tables by default, one JSON object with --json. Exit status: 0 success, 1 failure
// (broker unreachable, Kafka error, refused), 2 bad arguments.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/cli/command_outcome.h"
#include "app/cli/kafka_login.h"
#include "base/result.h"

namespace CLI {
class App;
}

namespace brook::app {

struct group_options {
  std::string action;  // list, describe, delete or reset-offsets
  std::string bootstrap = "127.0.0.1:9092";
  int64_t timeout_ms = 10000;  // connect, and each request
  kafka_login login;
  bool json = false;
  std::vector<std::string> states;  // list --state
  std::vector<std::string> groups;  // describe and reset-offsets: one; delete: one or more
  bool client_side_lag = false;     // describe: measure lag here even where the broker can
  // reset-offsets
  std::vector<std::string> topics;  // TOPIC or TOPIC:P,P,...
  bool to_earliest = false;
  bool to_latest = false;
  std::string to_datetime;
  std::optional<int64_t> to_offset;
  bool dry_run = false;
};

// Adds `group` and its subcommands to `app`; parsing fills `options` (action included).
CLI::App* add_group_command(CLI::App& app, group_options& options);

// Checks what the parser cannot; the error says which option is wrong.
done validate_group_options(const group_options& options);

// Runs the action (after validation); results to `out`, errors to `err`. Returns the exit
// status.
int run_group(const group_options& options, std::ostream& out, std::ostream& err);

// --- Parsing helpers, exposed for tests ---------------------------------------------------

// TOPIC or TOPIC:P,P,... (partitions empty: all of the topic's partitions).
struct topic_partitions {
  std::string topic;
  std::vector<int32_t> partitions;
};
result<topic_partitions> parse_topic_spec(std::string_view spec);

// Milliseconds since the epoch from an ISO-8601 date-time (2024-05-01T12:00:00Z,
// 2024-05-01T12:00:00.250+02:00, 2024-05-01T12:00:00 is UTC, 2024-05-01 is midnight UTC)
// or from a plain number of epoch milliseconds.
result<int64_t> parse_datetime_ms(std::string_view text);

// The group state names Kafka reports (Stable, Empty, ...), matched case-insensitively;
// empty when `name` is not one.
std::string canonical_group_state(std::string_view name);

}  // namespace brook::app
