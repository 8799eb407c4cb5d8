// Records as the v2 consumer APIs return them:
//   {"topic","key","value","partition","offset","timestamp","headers"}
// key and value in the asked-for embedded format: json (the stored text, which must be
// JSON; bytes that are not become a JSON string of them) or binary (base64). timestamp
// (ms) and headers ([{"key", "value": base64}]) are Brook's additions to Confluent's shape.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/json_writer.h"
#include "http/rest/json_input.h"
#include "protocol/record_batch.h"

namespace brook::http::rest {

struct record_view {
  std::string_view topic;
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp_ms = -1;
  const std::optional<std::string>* key = nullptr;
  const std::optional<std::string>* value = nullptr;
  const std::vector<protocol::record_header>* headers = nullptr;
};

void write_record(json_writer& w, const record_view& r, embedded_format format);

// A record as a person reads it (GET /v1/topics/{topic}/records):
//   {"partition","offset","timestamp","key","key_format","value","value_format",
//    "headers":[{"key","value","value_format"}]}
// Each of key, value and header value is embedded as JSON when its bytes are JSON
// (format "json"), else as a string when they are UTF-8 ("text"), else in base64
// ("base64"); null with format "null" when absent.
void write_display_record(json_writer& w, int32_t partition, int64_t offset, int64_t timestamp_ms,
                          const std::optional<std::string>& key,
                          const std::optional<std::string>& value,
                          const std::vector<protocol::record_header>& headers);

// Key+value+headers bytes of a record, for max_bytes accounting.
size_t record_size(const record_view& r);

// The embedded format an Accept header asks for: json or binary; `fallback` when it names
// none (absent, */*, application/vnd.kafka.v2+json); nullopt for one we cannot serve.
std::optional<embedded_format> accepted_format(std::string_view accept, embedded_format fallback);

}  // namespace brook::http::rest
