#include "protocol/topic_name.h"

#include <algorithm>
#include <utility>

namespace brook::protocol {
namespace {

bool legal_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

kafka_failure illegal(std::string message) {
  return {kafka_error::invalid_topic_exception, std::move(message)};
}

}  // namespace

kafka_result<void> validate_topic_name(std::string_view name) {
  if (name.empty()) {
    return illegal("Topic name is illegal, it can't be empty");
  }
  if (name == "." || name == "..") {
    return illegal("Topic name cannot be \".\" or \"..\"");
  }
  if (name.size() > max_topic_name_length) {
    return illegal("Topic name is illegal, it can't be longer than " +
                   std::to_string(max_topic_name_length) + " characters");
  }
  if (!std::all_of(name.begin(), name.end(), legal_char)) {
    return illegal(
        "Topic name is illegal, it contains a character other than ASCII alphanumerics, '.', "
        "'_' and '-'");
  }
  return {};
}

bool is_legal_topic_name(std::string_view name) {
  return validate_topic_name(name).has_value();
}

bool is_internal_topic_name(std::string_view name) {
  return name == "__consumer_offsets" || name == "__transaction_state" ||
         name == "__cluster_metadata" || is_brook_internal_topic_name(name);
}

bool is_brook_internal_topic_name(std::string_view name) {
  return name.starts_with(brook_internal_prefix);
}

bool has_collision_chars(std::string_view name) {
  return name.find_first_of("._") != std::string_view::npos;
}

std::string unify_collision_chars(std::string_view name) {
  std::string out(name);
  std::replace(out.begin(), out.end(), '.', '_');
  return out;
}

bool topic_names_collide(std::string_view a, std::string_view b) {
  return a != b && a.size() == b.size() && unify_collision_chars(a) == unify_collision_chars(b);
}

}  // namespace brook::protocol
