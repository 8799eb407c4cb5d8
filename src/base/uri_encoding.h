// uri_encoding: percent-encoding as RFC 3986 and AWS Signature V4 want it, every byte but
// the unreserved ones (A-Z a-z 0-9 - . _ ~) written %XX with upper-case hex; and bytes as
// lower-case hex. One place for both: URL path segments (http/router), S3 object keys and
// signatures (connect/).
#pragma once

#include <string>
#include <string_view>

namespace brook {

// `s` percent-encoded; with `keep_slash`, '/' stays as it is (a path of segments).
std::string uri_encode(std::string_view s, bool keep_slash = false);

// The bytes of `s` as lower-case hexadecimal (a digest as SigV4 writes it).
std::string hex_lower(std::string_view s);

}  // namespace brook
