// content_encoding: request bodies sent compressed (Content-Encoding: gzip or deflate, as
// curl --data-binary @file.gz -H 'Content-Encoding: gzip' or a client library sends them).
// They are inflated before any route sees them, under the same http.max_body_bytes limit
// as plain bodies, applied to the inflated size, so a small zip bomb is refused without
// being inflated whole. Another coding is refused with 415.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace brook::http {

enum class content_encoding { identity, gzip, deflate };

// The coding a Content-Encoding header names (case-insensitive; "" and "identity" are
// identity), or nullopt for one Brook does not take (br, compress, zstd, a list).
std::optional<content_encoding> parse_content_encoding(std::string_view header);

// The outcome of inflating a body.
struct inflated {
  enum class status { ok, too_large, corrupt } result = status::ok;
  std::string body;
};

// Inflates `body` (gzip, or deflate: a zlib stream as RFC 9110 means, or raw deflate as
// some clients send) to at most `limit` bytes.
inflated inflate_body(content_encoding coding, std::string_view body, size_t limit);

}  // namespace brook::http
