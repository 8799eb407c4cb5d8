// What a route handler sees of a request and gives back as a response. The request's
// body is read whole (bounded by http.max_body_bytes) before the handler runs, except for
// streaming routes, which read it themselves through an http_stream.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/verb.hpp>

#include "security/principal.h"

namespace brook::http {

struct http_request {
  boost::beast::http::verb method = boost::beast::http::verb::get;
  std::string path;                          // percent-decoded, without the query
  std::map<std::string, std::string> query;  // decoded; the last value of a repeated name
  std::vector<std::pair<std::string, std::string>> params;  // {name} segments of the route
  boost::beast::http::fields headers;
  std::string body;
  // Who the request acts for (User:ANONYMOUS unless it logged in: http_authentication.h)
  // and the client's address as Kafka reports it ("/127.0.0.1"), for the authorizer.
  security::principal principal;
  std::string client_host;
  bool tls = false;  // came over HTTPS: links in answers say https://

  // "https://" or "http://", as links to this server must start.
  std::string_view scheme() const { return tls ? "https://" : "http://"; }

  // The value of a {name} segment of the matched route ("" if the route has none).
  const std::string& param(std::string_view name) const;
  // The header's value, or "" when absent.
  std::string_view header(std::string_view name) const;
  // Content-Type without parameters, lower case ("application/json").
  std::string media_type() const;
};

struct http_response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static http_response json(unsigned status, std::string body,
                            std::string content_type = "application/json") {
    return {status, std::move(content_type), std::move(body), {}};
  }
  static http_response no_content() { return {204, {}, {}, {}}; }
};

}  // namespace brook::http
