// rest_call: one call of a `brook serve` HTTP API from a command (`brook connector`, `brook
// agent`): --url, HTTP Basic with --user/--password, a timeout, JSON in and out; the
// message of an error answer ({"error_code":..,"message":..}, the REST Proxy's and
// Connect's shape); and what those commands share besides: an answer's members as text,
// a file given as an option.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "app/cli/command_outcome.h"

namespace CLI {
class App;
}

namespace brook::app {

// Where the API is and how to log in (the options every HTTP command shares).
struct rest_target {
  std::string url = "http://127.0.0.1:8082";
  std::string user;
  std::string password;
  int64_t timeout_ms = 30000;
};

struct rest_reply {
  long status = 0;
  std::string body;
};

// `method path` with `body` (JSON, when not empty) and `headers` ("Name: value") besides.
// Fails only when no answer came; an error status is a reply.
outcome<rest_reply> rest_call(const rest_target& target, std::string method,
                              const std::string& path, std::string body = {},
                              const std::vector<std::string>& headers = {});

// "message (HTTP 404)" from an error answer's JSON, else "HTTP 404: body".
std::string rest_error_text(const rest_reply& reply);

// --url (BROOK_URL), --user (BROOK_HTTP_USER), --password (BROOK_HTTP_PASSWORD) and
// --timeout-ms on `sub`; `url_help` says what the URL is.
void add_rest_target_options(CLI::App* sub, rest_target& target, const char* url_help);

// The member `key` of an answer's object as text for a table: a string as it is, a number
// in decimal, another JSON value minified, "-" when null or absent.
std::string json_text(simdjson::dom::element object, std::string_view key);

// The whole of a file a command is given (`option` names it in the error), without
// trailing line ends and spaces.
outcome<std::string> read_text_file(const std::string& path, std::string_view option);

// The checks every HTTP command makes of its target: an http(s) URL, and a password with a
// user. Trailing slashes of the URL are dropped.
done check_rest_target(rest_target& target);

}  // namespace brook::app
