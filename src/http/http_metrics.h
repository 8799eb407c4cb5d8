// http_metrics: what the HTTP listener served, by route (the route's pattern, so that
// /topics/orders and /topics/users are one series: label cardinality is the number of
// routes, about 60, plus "unmatched") and by status (100-599), with a latency histogram per
// route, from the request's header read to its answer written (a streaming route: to its
// end). Recording is relaxed atomic adds on arrays made when the server starts (the routes
// are fixed by then).
#pragma once

#include <array>
#include <chrono>
#include <memory>
#include <vector>

#include "base/metric_counter.h"
#include "base/metric_histogram.h"
#include "base/metrics_writer.h"
#include "http/router.h"

namespace brook::http {

class http_metrics {
 public:
  explicit http_metrics(const router& routes);

  // `r` null: no route matched (404, 405, or refused before routing).
  void record(const route* r, unsigned status, std::chrono::nanoseconds elapsed);

  // The families brook_http_requests_total and brook_http_request_duration_seconds.
  void write(metrics_writer& w) const;

 private:
  struct per_route {
    static constexpr unsigned first_status = 100;
    std::array<metric_counter, 500> statuses;  // 100..599
    metric_histogram latency{metric_histogram::latency_bounds()};
  };
  const router& _routes;
  std::vector<std::unique_ptr<per_route>> _per_route;  // one per route, then "unmatched"
};

}  // namespace brook::http
