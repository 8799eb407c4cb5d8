#include "app/cli/group_command.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <charconv>

#include "app/cli/group_cli.h"
#include "app/cli/kafka_client.h"
#include "base/clock.h"
#include "protocol/errc.h"

namespace brook::app {

namespace P = protocol;

namespace {

constexpr std::string_view known_states[] = {
    "Empty", "Stable",    "PreparingRebalance", "CompletingRebalance",
    "Dead",  "Assigning", "Reconciling"};

void add_connection_options(CLI::App* sub, group_options& o) {
  brook::app::add_connection_options(sub, o.bootstrap, o.timeout_ms, o.login);
  sub->add_flag("--json", o.json, "Print one JSON object instead of text");
}

bool parse_int(std::string_view text, int64_t& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

}  // namespace

result<topic_partitions> parse_topic_spec(std::string_view spec) {
  topic_partitions out;
  auto colon = spec.find(':');
  out.topic = std::string(spec.substr(0, colon));
  if (out.topic.empty()) {
    return P::protocol_errc::malformed;
  }
  if (colon == std::string_view::npos) {
    return out;
  }
  std::string_view rest = spec.substr(colon + 1);
  if (rest.empty()) {
    return P::protocol_errc::malformed;
  }
  while (true) {
    auto comma = rest.find(',');
    int64_t p = 0;
    if (!parse_int(rest.substr(0, comma), p) || p < 0 || p > INT32_MAX) {
      return P::protocol_errc::malformed;
    }
    if (std::find(out.partitions.begin(), out.partitions.end(), p) == out.partitions.end()) {
      out.partitions.push_back(static_cast<int32_t>(p));
    }
    if (comma == std::string_view::npos) {
      break;
    }
    rest = rest.substr(comma + 1);
  }
  return out;
}

result<int64_t> parse_datetime_ms(std::string_view text) {
  const auto bad = P::protocol_errc::malformed;
  if (!text.empty() && std::all_of(text.begin(), text.end(), [](char ch) {
        return std::isdigit(static_cast<unsigned char>(ch)) != 0;
      })) {
    int64_t epoch_ms = 0;
    if (!parse_int(text, epoch_ms)) {
      return bad;
    }
    return epoch_ms;
  }
  if (auto ms = parse_iso8601(text)) {
    return *ms;
  }
  return bad;
}

std::string canonical_group_state(std::string_view name) {
  for (auto state : known_states) {
    if (state.size() == name.size() &&
        std::equal(state.begin(), state.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return std::string(state);
    }
  }
  return {};
}

CLI::App* add_group_command(CLI::App& app, group_options& o) {
  auto* group =
      app.add_subcommand("group", "Consumer groups: list, describe, delete, reset offsets");
  group->require_subcommand(1);

  auto* list = group->add_subcommand("list", "List the groups with their state");
  add_connection_options(list, o);
  list->add_option("--state", o.states,
                   "Only groups in this state (Empty, Stable, PreparingRebalance, "
                   "CompletingRebalance, Dead); repeatable")
      ->type_name("STATE");
  list->callback([&o] { o.action = "list"; });

  auto* describe = group->add_subcommand(
      "describe", "A group's members, and per partition its committed offset and lag");
  add_connection_options(describe, o);
  describe->add_option("group", o.groups, "Group id")->type_name("GROUP")->required()->expected(1);
  describe->add_flag("--client-side-lag", o.client_side_lag,
                     "Measure the lag from this client (ListOffsets, Fetch) even when the broker "
                     "measures it (Brook does)");
  describe->callback([&o] { o.action = "describe"; });

  auto* del = group->add_subcommand("delete", "Delete groups with no active members");
  add_connection_options(del, o);
  del->add_option("groups", o.groups, "Group ids")->type_name("GROUP")->required();
  del->callback([&o] { o.action = "delete"; });

  auto* reset = group->add_subcommand("reset-offsets",
                                      "Commit new offsets for a group that has no active members");
  add_connection_options(reset, o);
  reset->add_option("group", o.groups, "Group id")->type_name("GROUP")->required()->expected(1);
  reset
      ->add_option("--topic", o.topics,
                   "TOPIC or TOPIC:P,P,... (all partitions when none); "
                   "repeatable")
      ->type_name("TOPIC[:P,...]")
      ->required();
  reset->add_flag("--to-earliest", o.to_earliest, "The first offset still in the log");
  reset->add_flag("--to-latest", o.to_latest, "The log end offset (skip everything)");
  reset
      ->add_option("--to-datetime", o.to_datetime,
                   "The first record at or after a time: ISO-8601 (2024-05-01T12:00:00Z; no "
                   "zone means UTC) or epoch milliseconds")
      ->type_name("TIME");
  reset
      ->add_option_function<int64_t>(
          "--to-offset", [&o](const int64_t& v) { o.to_offset = v; },
          "This offset, kept within the log's earliest and latest")
      ->type_name("OFFSET");
  reset->add_flag("--dry-run", o.dry_run, "Print the new offsets without committing them");
  reset->callback([&o] { o.action = "reset-offsets"; });
  return group;
}

done validate_group_options(const group_options& o) {
  if (auto valid = validate_connection(o.bootstrap, o.login); !valid) {
    return valid;
  }
  for (const auto& s : o.states) {
    if (canonical_group_state(s).empty()) {
      return failure(
          fmt::format("--state: unknown group state '{}' (Empty, Stable, PreparingRebalance, "
                      "CompletingRebalance, Dead)",
                      s));
    }
  }
  for (const auto& g : o.groups) {
    if (g.empty()) {
      return failure("a group id must not be empty");
    }
  }
  if (o.action != "reset-offsets") {
    return {};
  }
  for (const auto& t : o.topics) {
    if (!parse_topic_spec(t)) {
      return failure(fmt::format("--topic: '{}' is not TOPIC or TOPIC:PARTITION,PARTITION,...", t));
    }
  }
  int targets = (o.to_earliest ? 1 : 0) + (o.to_latest ? 1 : 0) + (o.to_datetime.empty() ? 0 : 1) +
                (o.to_offset ? 1 : 0);
  if (targets != 1) {
    return failure("give exactly one of --to-earliest, --to-latest, --to-datetime, --to-offset");
  }
  if (!o.to_datetime.empty() && !parse_datetime_ms(o.to_datetime)) {
    return failure(fmt::format(
        "--to-datetime: '{}' is neither an ISO-8601 date-time (2024-05-01T12:00:00Z) nor "
        "epoch milliseconds",
        o.to_datetime));
  }
  if (o.to_offset && *o.to_offset < 0) {
    return failure(fmt::format("--to-offset: {} is negative", *o.to_offset));
  }
  return {};
}

int run_group(const group_options& o, std::ostream& out, std::ostream& err) {
  if (auto valid = validate_group_options(o); !valid) {
    err << "brook group " << o.action << ": " << valid.error() << "\n";
    return 2;
  }
  if (o.action == "list") {
    return group_cli::run_group_list(o, out, err);
  }
  if (o.action == "describe") {
    return group_cli::run_group_describe(o, out, err);
  }
  if (o.action == "delete") {
    return group_cli::run_group_delete(o, out, err);
  }
  return group_cli::run_group_reset_offsets(o, out, err);
}

}  // namespace brook::app
