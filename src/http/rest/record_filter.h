// record_filter: which records a browse keeps (GET /v1/topics/{topic}/records, doc/http-api.md):
// those whose key or value contains a text (`contains`), and/or whose value is JSON with the
// field at a dotted path (`json_path`: "$.user.id", "user.id", "items.0") equal to a text
// (`equals`: a string's characters, or a number, boolean, object or array as compact JSON
// writes it). Records without that field, or whose value is not JSON, do not match. One
// filter per request: it reuses one JSON parser, so it is not shared between threads.
#pragma once

#include <optional>
#include <string>

#include "backend/event_backend.h"
#include "base/expected.h"
#include "connect/json_fields.h"

namespace brook::http::rest {

class record_filter {
 public:
  // The filter of a browse's query parameters, or why they are wrong (json_path without
  // equals, a malformed path, a text over 1 KiB).
  static expected<record_filter, std::string> make(const std::optional<std::string>& contains,
                                                   const std::optional<std::string>& json_path,
                                                   const std::optional<std::string>& equals);

  bool matches(const backend::fetched_record& r);

  // A JSON path as json_fields takes it ("$.user.id" -> "user.id"), or why it is not one.
  static expected<std::string, std::string> dotted_path(std::string_view json_path);

 private:
  std::string _contains;
  std::optional<std::string> _path;  // dotted, without "$."
  std::string _equals;
  connect::json_fields _json;
};

}  // namespace brook::http::rest
