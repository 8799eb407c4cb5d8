// GET /metrics: every family of the server's metrics registry, in Prometheus's text format,
// or in OpenMetrics when the Accept header asks for application/openmetrics-text. Behind
// the HTTP authentication like every route but the probes, and it names every topic and
// group, so it asks for DESCRIBE on the cluster (as Kafka's admin tools do). Not served
// (404) when the server has no registry.
#include "base/metrics_registry.h"
#include "http/rest/rest_api.h"
#include "http/rest/rest_response.h"

namespace brook::http::rest {

using boost::asio::awaitable;
using boost::beast::http::verb;

void add_metrics_route(router& r, rest_context& ctx) {
  if (ctx.metrics == nullptr) {
    return;
  }
  r.add(verb::get, "/metrics", [&ctx](http_request& req) -> awaitable<http_response> {
    if (!ctx.caller_of(req).may(security::acl_operation::describe, security::resource_type::cluster,
                                security::cluster_resource_name)) {
      co_return error_response(error_codes::forbidden,
                               "Not authorized: /metrics needs DESCRIBE on the cluster");
    }
    const auto format = metrics_writer::negotiate(req.header("accept"));
    http_response out;
    out.status = 200;
    out.content_type = std::string(metrics_writer::content_type(format));
    out.body = ctx.metrics->scrape(format);
    co_return out;
  });
}

}  // namespace brook::http::rest
