#include "http/rest/record_filter.h"

namespace brook::http::rest {

namespace {

constexpr size_t max_text = 1024;

}  // namespace

expected<record_filter, std::string> record_filter::make(
    const std::optional<std::string>& contains, const std::optional<std::string>& json_path,
    const std::optional<std::string>& equals) {
  record_filter f;
  for (const auto* given : {&contains, &json_path, &equals}) {
    if (*given && (*given)->size() > max_text) {
      return unexpected(std::string("contains, json_path and equals are at most 1024 bytes"));
    }
  }
  if (contains) {
    f._contains = *contains;
  }
  if (json_path.has_value() != equals.has_value()) {
    return unexpected(std::string("json_path and equals go together"));
  }
  if (json_path) {
    auto p = dotted_path(*json_path);
    if (!p) {
      return unexpected(p.error());
    }
    f._path = std::move(*p);
    f._equals = *equals;
  }
  return f;
}

expected<std::string, std::string> record_filter::dotted_path(std::string_view json_path) {
  std::string_view p = json_path;
  if (p.starts_with("$.")) {
    p.remove_prefix(2);
  }
  if (p.empty() || p == "$" || p.front() == '.' || p.back() == '.' || p.find("..") != p.npos ||
      p.size() > max_text) {
    return unexpected("json_path '" + std::string(json_path.substr(0, 64)) +
                      "' is not a dotted path ($.user.id, user.id, items.0)");
  }
  return std::string(p);
}

bool record_filter::matches(const backend::fetched_record& r) {
  if (!_contains.empty()) {
    const bool in_key = r.key && r.key->find(_contains) != std::string::npos;
    const bool in_value = r.value && r.value->find(_contains) != std::string::npos;
    if (!in_key && !in_value) {
      return false;
    }
  }
  if (_path) {
    if (!r.value || !_json.load(*r.value)) {
      return false;
    }
    auto field = _json.text(*_path);
    if (!field || *field != _equals) {
      return false;
    }
  }
  return true;
}

}  // namespace brook::http::rest
