// origin_policy: which names a request may address this server by (the Host header) and
// which web origins may call it from a browser (CORS). Both guard a REST API that a web
// page on another site could otherwise reach: through a rebound DNS name (DNS rebinding,
// stopped by the Host check) or through the visitor's browser (refused by default, as
// browsers enforce CORS). See doc/http-api.md#host-names-and-cors.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/http_config.h"
#include "http/http_message.h"

namespace brook::http {

class origin_policy {
 public:
  explicit origin_policy(const http_config& config);

  // Whether a request naming `host` (the Host header: a name or address, with or without a
  // port) is for this server: an IP address, localhost, this machine's host name, or one of
  // http.allowed_hosts ("*": any). An absent header (HTTP/1.0) passes.
  bool host_allowed(std::string_view host) const;

  // The answer to a CORS preflight (OPTIONS with Origin and Access-Control-Request-Method),
  // or nullopt when the request is not one.
  std::optional<http_response> preflight(const http_request& req) const;

  // The CORS headers of the answer to `req` (none unless its Origin is allowed).
  std::vector<std::pair<std::string, std::string>> cors_headers(const http_request& req) const;

 private:
  bool origin_allowed(std::string_view origin) const;

  std::vector<std::string> _hosts;  // lower case, no trailing dot
  bool _any_host = false;
  std::vector<std::string> _origins;  // lower case
  bool _any_origin = false;
};

// Whether `text` is a host name or address as a Host header carries it, with an optional
// port: letters, digits and ".-_:[]" only (nothing a URL or a header would read otherwise).
bool is_host_text(std::string_view text);

// Lower case, without a port, brackets or a trailing dot: "Brook.Example:8082" ->
// "brook.example", "[::1]:8082" -> "::1".
std::string host_name_of(std::string_view host_header);

}  // namespace brook::http
