// group_cli: what the `brook group` actions (group_list.cc, group_describe.cc,
// group_delete.cc, group_reset_offsets.cc) share: their cluster, and the pieces of their
// text tables and JSON objects.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/cli/command_outcome.h"
#include "app/cli/group_command.h"
#include "app/cli/kafka_cluster.h"
#include "app/cli/kafka_error_text.h"

namespace brook::app::group_cli {

using topic_partition = kafka_cluster::topic_partition;

// The cluster behind --bootstrap, with --timeout-ms.
kafka_cluster cluster_of(const group_options& o);

// ---------------------------------------------------------------------------------------
// Output.

template <typename T>
std::string json_or_null(const std::optional<T>& v) {
  return v ? fmt::format("{}", *v) : "null";
}

std::string text_or_dash(const std::optional<int64_t>& v);

// Seconds with one decimal, "-" when unknown.
std::string seconds_text(const std::optional<double>& v);

// Columns separated by two spaces, each as wide as its widest cell.
void print_table(std::ostream& out, const std::vector<std::vector<std::string>>& rows);

// ---------------------------------------------------------------------------------------
// The actions (after validation): results to `out`, errors to `err`; the exit status.

int run_group_list(const group_options& o, std::ostream& out, std::ostream& err);
int run_group_describe(const group_options& o, std::ostream& out, std::ostream& err);
int run_group_delete(const group_options& o, std::ostream& out, std::ostream& err);
int run_group_reset_offsets(const group_options& o, std::ostream& out, std::ostream& err);

}  // namespace brook::app::group_cli
