// Kafka request and response headers. Request header v1 (api_key, api_version,
// correlation_id, client_id) for versions before an API's first flexible version, v2
// (v1 + tagged fields) from it; response header v0 (correlation_id) or v1 (+ tagged
// fields), except ApiVersions, whose response header is always v0.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "base/result.h"
#include "protocol/wire_writer.h"

namespace brook::protocol {

constexpr int16_t api_versions_key = 18;

struct request_header {
  int16_t api_key = 0;
  int16_t api_version = 0;
  int32_t correlation_id = 0;
  std::optional<std::string> client_id;
  size_t body_offset = 0;  // where the request body starts in the frame
};

// Decodes the header at the front of a request frame (the bytes after the 4-byte size).
// Whether it has tagged fields follows from the API's schema; for an API key or version
// Brook has no schema for, the v1 header is read (enough to answer with an error).
result<request_header> decode_request_header(std::span<const std::byte> frame);

// Whether the response to (api_key, api_version) carries the v1 header.
bool response_header_is_flexible(int16_t api_key, int16_t api_version);

// Starts a response frame: reserves the 4-byte size and writes the response header.
// finish_response() fills the size in once the body is written.
void begin_response(wire_writer& w, int16_t api_key, int16_t api_version, int32_t correlation_id);
void finish_response(wire_writer& w);

}  // namespace brook::protocol
