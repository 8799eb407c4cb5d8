// http_fetch: one blocking HTTP(S) GET with libcurl, for the few documents Brook reads from
// other servers (an OpenID Connect issuer's discovery document and its keys). It runs on a
// thread that may wait: never on an I/O thread. Bounded in time (connect and whole
// transfer) and in size (the body is refused past max_bytes, not truncated); only http and
// https, at most 3 redirects, certificates checked against the system's CAs or ca_file.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

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
};

// The answer of `url` (any status), or why there is none ("timed out after 5000 ms",
// "couldn't connect", "body over 1048576 bytes").
expected<fetch_reply, std::string> http_get(const std::string& url, const fetch_options& options);

}  // namespace brook::net
