#include "connect/csv_field.h"

#include <algorithm>

namespace brook::connect {

namespace {
constexpr std::string_view specials = ",\"\r\n";

// A memchr pass per special character: string_view::find_first_of calls memchr on the
// set once per character of the field, and a loop over the characters is no faster (each
// was the CSV sink's largest cost).
bool needs_quotes(std::string_view field) {
  if (field.empty()) {
    return false;
  }
  if (field.front() == ' ' || field.back() == ' ') {
    return true;
  }
  return std::any_of(specials.begin(), specials.end(),
                     [field](char c) { return field.find(c) != std::string_view::npos; });
}
}  // namespace

void append_csv_field(std::string& line, std::string_view field) {
  if (!needs_quotes(field)) {
    line.append(field);
    return;
  }
  line.push_back('"');
  for (char c : field) {
    if (c == '"') {
      line.push_back('"');
    }
    line.push_back(c);
  }
  line.push_back('"');
}

}  // namespace brook::connect
