#include "app/cli/group_cli.h"

#include <algorithm>
#include <chrono>
#include <ostream>

namespace brook::app::group_cli {

kafka_cluster cluster_of(const group_options& o) {
  return kafka_cluster::with_login(o.bootstrap, o.timeout_ms, o.login);
}

std::string text_or_dash(const std::optional<int64_t>& v) {
  return v ? std::to_string(*v) : "-";
}

std::string seconds_text(const std::optional<double>& v) {
  return v ? fmt::format("{:.1f}", *v) : "-";
}

void print_table(std::ostream& out, const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], row[i].size());
    }
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) {
        line.append(widths[i] - row[i].size() + 2, ' ');
      }
    }
    out << line << "\n";
  }
}

}  // namespace brook::app::group_cli
