// GET /healthz (the process answers), /readyz (it serves: 503 while starting or stopping,
// or while the data directory takes no writes),
// /openapi.json (doc/openapi.json, embedded at build time): open to every client, logged in
// or not.
#include "http/openapi_document.h"
#include "http/rest/rest_api.h"
#include "http/rest/rest_response.h"

namespace brook::http::rest {

using boost::beast::http::verb;

void add_system_routes(router& r, rest_context& ctx) {
  r.add_open(verb::get, "/healthz", [](http_request&) -> boost::asio::awaitable<http_response> {
    co_return http_response::json(200, R"({"status":"ok"})");
  });
  r.add_open(verb::get, "/readyz", [&ctx](http_request&) -> boost::asio::awaitable<http_response> {
    if (!ctx.ready.load(std::memory_order_acquire)) {
      co_return error_response(error_codes::unavailable, "not ready: starting or shutting down");
    }
    if (auto problem = ctx.backend.write_problem()) {
      co_return error_response(error_codes::unavailable, "not ready: " + *problem);
    }
    co_return http_response::json(200, R"({"status":"ready"})");
  });
  r.add_open(verb::get, "/openapi.json",
             [](http_request&) -> boost::asio::awaitable<http_response> {
               co_return http_response::json(200, std::string(openapi_document()));
             });
}

}  // namespace brook::http::rest
