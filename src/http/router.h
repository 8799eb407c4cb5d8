// router: the table of every HTTP endpoint Brook serves, each a method and a path pattern
// ("/topics/{topic}/partitions/{partition}") bound to its handler. A path that matches no
// pattern is 404; one that matches with another method is 405 with an Allow header. The
// table is also what tests compare with doc/openapi.json (routes()).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/verb.hpp>

#include "http/http_message.h"
#include "http/http_stream.h"

namespace brook::http {

using route_handler = std::function<boost::asio::awaitable<http_response>(http_request&)>;
using stream_handler = std::function<boost::asio::awaitable<void>(http_request&, http_stream&)>;

struct route {
  boost::beast::http::verb method;
  std::string pattern;
  route_handler handler;    // either this...
  stream_handler streamer;  // ...or this, which reads the body itself
  // Served without logging in when http.authentication requires it (health probes, the
  // API document): add_open().
  bool open = false;
  // Waits by design (a long poll): never logged as a slow request. add_waiting().
  bool waits = false;
};

class router {
 public:
  void add(boost::beast::http::verb method, std::string pattern, route_handler h);
  // `waits`: a stream that lasts by design (a live tail): never logged as a slow request.
  void add_streaming(boost::beast::http::verb method, std::string pattern, stream_handler h,
                     bool waits = false);
  // A route anyone may call, logged in or not.
  void add_open(boost::beast::http::verb method, std::string pattern, route_handler h);
  // A route that waits by design (a long poll): its time is not a slow request's.
  void add_waiting(boost::beast::http::verb method, std::string pattern, route_handler h);

  struct match_result {
    const route* found = nullptr;  // nullptr: see status
    unsigned status = 404;         // 404 no such path, 405 wrong method
    std::string allow;             // for 405: the methods the path takes
    std::vector<std::pair<std::string, std::string>> params;
  };
  // `path` is percent-decoded already, without the query. A pattern's segment is a literal,
  // "{name}" (any segment), or "{name}:suffix" (a segment ending with ":suffix").
  match_result match(boost::beast::http::verb method, std::string_view path) const;

  const std::vector<route>& routes() const { return _routes; }

 private:
  std::vector<route> _routes;
};

// Splits a target into its path and its query parameters, percent-decoding both
// ('+' is a space in the query), except that an escaped '/' or '%' stays escaped in the
// path ("%2F", "%25") until match() has split it into segments: "/consumers/team%2Fa" names
// the group "team/a". False when the target is not an origin-form path or an escape is
// malformed.
bool parse_target(std::string_view target, std::string& path,
                  std::map<std::string, std::string>& query);

// `segment` as one segment of a URL path: every byte but the unreserved ones (letters,
// digits, "-._~") percent-encoded, so a name with '/', '?', '%' or spaces stays one
// segment and reads back as itself through parse_target and match().
std::string escape_path_segment(std::string_view segment);

}  // namespace brook::http
