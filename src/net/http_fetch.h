// http_fetch: one blocking HTTP(S) request with libcurl, for the few documents Brook reads
// from other servers (an OpenID Connect issuer's discovery document and its keys) and the
// commands that call Brook's own HTTP APIs (`brook connector`). It runs on a
// thread that may wait: never on an I/O thread. Bounded in time (connect and whole
// transfer) and in size (the body is refused past max_bytes, not truncated); only http and
// https, at most 3 redirects, certificates checked against the system's CAs or ca_file.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/expected.h"

namespace brook::net {

struct fetch_options {
  std::chrono::milliseconds timeout{5000};
  size_t max_bytes = size_t{1} << 20;
  // PEM file of the CAs an https server's certificate must chain to; empty: the system's.
  std::string ca_file;
};

struct fetch_reply {
  long status = 0;
  std::string body;
  // The answer's headers, names in lower case (of the last answer after redirects).
  std::vector<std::pair<std::string, std::string>> headers;

  // The value of header `name` (lower case), or "".
  std::string header(std::string_view name) const;
};

// A request other than a plain GET: its method, body and headers ("Name: value").
struct fetch_request {
  std::string method = "GET";
  std::string url;
  std::string body;
  std::vector<std::string> headers;
  std::string user;  // HTTP Basic, with password (none when empty)
  std::string password;
};

// The answer of `url` (any status), or why there is none ("timed out after 5000 ms",
// "couldn't connect", "body over 1048576 bytes").
expected<fetch_reply, std::string> http_get(const std::string& url, const fetch_options& options);
// The same for any method; a body is sent when not empty (or the method is POST or PUT).
expected<fetch_reply, std::string> http_call(const fetch_request& request,
                                             const fetch_options& options);

}  // namespace brook::net
