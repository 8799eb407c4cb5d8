#include "http/http_metrics.h"

#include <string>

namespace brook::http {

http_metrics::http_metrics(const router& routes) : _routes(routes) {
  for (size_t i = 0; i <= routes.routes().size(); ++i) {
    _per_route.push_back(std::make_unique<per_route>());
  }
}

void http_metrics::record(const route* r, unsigned status, std::chrono::nanoseconds elapsed) {
  const auto& all = _routes.routes();
  size_t index = all.size();  // unmatched
  if (r != nullptr && !all.empty() && r >= all.data() && r < all.data() + all.size()) {
    index = static_cast<size_t>(r - all.data());
  }
  auto& p = *_per_route[index];
  if (status >= per_route::first_status && status < per_route::first_status + p.statuses.size()) {
    p.statuses[status - per_route::first_status].add();
  }
  p.latency.observe(elapsed);
}

void http_metrics::write(metrics_writer& w) const {
  const auto& all = _routes.routes();
  auto each = [&](auto&& f) {
    for (size_t i = 0; i < _per_route.size(); ++i) {
      const bool matched = i < all.size();
      const std::string method =
          matched ? std::string(boost::beast::http::to_string(all[i].method)) : std::string();
      f(matched ? std::string_view(all[i].pattern) : std::string_view("unmatched"),
        std::string_view(method), *_per_route[i]);
    }
  };
  w.counter("brook_http_requests", "HTTP requests answered, by route, method and status.");
  each([&](std::string_view route, std::string_view method, const per_route& p) {
    for (size_t s = 0; s < p.statuses.size(); ++s) {
      if (const uint64_t n = p.statuses[s].value(); n > 0) {
        const std::string status = std::to_string(s + per_route::first_status);
        w.value({{"route", route}, {"method", method}, {"status", status}}, n);
      }
    }
  });
  w.histogram("brook_http_request_duration_seconds",
              "Time from an HTTP request's header read to its answer written, by route.");
  each([&](std::string_view route, std::string_view method, const per_route& p) {
    auto h = p.latency.read();
    if (h.count() > 0) {
      w.value({{"route", route}, {"method", method}}, h);
    }
  });
}

}  // namespace brook::http
