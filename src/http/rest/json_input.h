// Reading request bodies with simdjson: padding a body in place (no copy), checking that a
// piece of text is one complete JSON value, and the content types of the v2 API.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <simdjson.h>

namespace brook::http::rest {

// `body` with simdjson's padding reserved after its end, viewed without a copy.
simdjson::padded_string_view padded(std::string& body);

// True when `text` is exactly one JSON value (surrounding whitespace allowed).
bool is_valid_json(std::string_view text);

// The exact text of `v` (an object, an array or a scalar), without surrounding whitespace.
// simdjson's On-Demand value has no raw_json() of its own in 3.0.
simdjson::error_code raw_text(simdjson::ondemand::value v, std::string_view& out);

// `text` without leading and trailing JSON whitespace.
std::string_view trim_json(std::string_view text);

// The embedded formats of the v2 content types application/vnd.kafka[.<format>].v2+json.
enum class embedded_format { none, binary, json, avro, jsonschema, protobuf };

// The v2 content type's embedded format; application/json and application/octet-stream
// count as none. nullopt for anything else (a 415).
std::optional<embedded_format> parse_v2_media_type(std::string_view media);
std::string_view format_name(embedded_format f);

}  // namespace brook::http::rest
