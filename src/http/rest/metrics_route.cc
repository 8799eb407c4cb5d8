// GET /metrics: every family of the server's metrics registry, in Prometheus's text format,
// or in OpenMetrics when the Accept header asks for application/openmetrics-text. Behind
// the HTTP authentication like every route but the probes, and it names every topic and
// group, so it asks for DESCRIBE on the cluster (as Kafka's admin tools do). On the REST
// listener, and on the metrics listener (metrics.port) when there is one.
#include "base/metrics_registry.h"
#include "http/rest/rest_api.h"
#include "http/rest/rest_response.h"

namespace brook::http::rest {

using boost::asio::awaitable;
using boost::beast::http::verb;

void add_metrics_route(router& r, const security::authorizer& authorizer,
                       const metrics_registry& metrics) {
  r.add(verb::get, "/metrics",
        [&authorizer, &metrics](http_request& req) -> awaitable<http_response> {
          const backend::caller who{authorizer, req.principal, req.client_host};
          if (!who.may(security::acl_operation::describe, security::resource_type::cluster,
                       security::cluster_resource_name)) {
            co_return error_response(error_codes::forbidden,
                                     "Not authorized: /metrics needs DESCRIBE on the cluster");
          }
          const auto format = metrics_writer::negotiate(req.header("accept"));
          http_response out;
          out.status = 200;
          out.content_type = std::string(metrics_writer::content_type(format));
          out.body = metrics.scrape(format);
          co_return out;
        });
}

}  // namespace brook::http::rest
