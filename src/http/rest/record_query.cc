#include "http/rest/record_query.h"

#include <charconv>

#include "base/clock.h"

namespace brook::http::rest {

std::optional<std::string> query_param(const http_request& req, std::string_view name) {
  auto it = req.query.find(std::string(name));
  return it == req.query.end() ? std::nullopt : std::optional<std::string>(it->second);
}

std::optional<int64_t> whole_number(std::string_view text) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return v;
}

std::optional<int64_t> time_of(std::string_view text) {
  if (auto ms = whole_number(text)) {
    return ms;
  }
  return parse_iso8601(text);
}

expected<std::vector<int32_t>, rest_error> partitions_named(const http_request& req,
                                                            const std::string& topic,
                                                            size_t count) {
  std::vector<int32_t> out;
  if (auto p = query_param(req, "partition")) {
    auto n = whole_number(*p);
    if (!n || *n < 0 || *n >= static_cast<int64_t>(count)) {
      return unexpected(
          rest_error::make(error_codes::partition_not_found,
                           "topic " + topic + " has no partition " + p->substr(0, 32)));
    }
    out.push_back(static_cast<int32_t>(*n));
    return out;
  }
  for (size_t i = 0; i < count; ++i) {
    out.push_back(static_cast<int32_t>(i));
  }
  return out;
}

expected<record_filter, std::string> filter_of(const http_request& req) {
  return record_filter::make(query_param(req, "contains"), query_param(req, "json_path"),
                             query_param(req, "equals"));
}

}  // namespace brook::http::rest
