// What the console's Overview and Topics pages show (doc/http-api.md "Overview and topic
// summaries"), over ctx.overview (the in-process broker's backend::broker_overview; absent in
// gateway mode: 404):
//   GET /v1/overview  the broker: version, start time, listeners, the data directory's disk
//                     (with DESCRIBE on the cluster; else null), counts of the topics and
//                     partitions the caller may describe, throughput totals and rates and
//                     their history (the live chart)
//   GET /v1/topics    per topic the caller may describe: partitions, size, records,
//                     retention, cleanup policy, traffic totals and rates
#include "backend/broker_overview.h"
#include "base/clock.h"
#include "base/json_writer.h"
#include "http/rest/rest_api.h"
#include "http/rest/rest_response.h"

namespace brook::http::rest {

namespace {

using boost::asio::awaitable;
using boost::beast::http::verb;

void write_totals(json_writer& w, const backend::traffic_totals& t) {
  w.begin_object().key("bytes_in").value(t.bytes_in).key("bytes_out").value(t.bytes_out);
  w.key("records_in").value(t.records_in).end_object();
}

void write_rates(json_writer& w, const backend::traffic_rates& r) {
  w.begin_object().key("bytes_in").value(r.bytes_in).key("bytes_out").value(r.bytes_out);
  w.key("records_in").value(r.records_in).end_object();
}

// The topics of `s` the caller may describe.
std::vector<const backend::topic_summary*> visible(const rest_context& ctx, const http_request& req,
                                                   const backend::broker_summary& s) {
  std::vector<const backend::topic_summary*> out;
  for (const auto& t : s.topics) {
    if (ctx.authorizer.permits(req.principal, req.client_host, security::acl_operation::describe,
                               security::acl_resource{security::resource_type::topic, t.name})) {
      out.push_back(&t);
    }
  }
  return out;
}

http_response unavailable() {
  return error_response(error_codes::not_found,
                        "No broker summary here: gateway mode fronts another cluster");
}

}  // namespace

void add_v1_overview_routes(router& r, rest_context& ctx) {
  r.add(verb::get, "/v1/overview", [&ctx](http_request& req) -> awaitable<http_response> {
    if (ctx.overview == nullptr) {
      co_return unavailable();
    }
    const backend::broker_summary s = ctx.overview->summary();
    const auto topics = visible(ctx, req, s);
    json_writer w;
    w.begin_object().key("version").value(BROOK_VERSION);
    w.key("started_at").value(format_iso8601(s.started_at_ms));
    w.key("uptime_ms").value(wall_clock_ms() - s.started_at_ms);
    w.key("listeners").begin_array();
    for (const auto& l : s.listeners) {
      w.begin_object()
          .key("name")
          .value(l.name)
          .key("security_protocol")
          .value(l.security_protocol);
      w.key("host").value(l.host).key("port").value(int64_t{l.port});
      w.key("advertised_host").value(l.advertised_host);
      w.key("advertised_port").value(int64_t{l.advertised_port}).end_object();
    }
    w.end_array().key("disk");
    if (ctx.authorizer.permits(req.principal, req.client_host, security::acl_operation::describe,
                               security::acl_resource{})) {
      w.begin_object().key("data_dir").value(s.data_dir);
      w.key("total_bytes").value(s.disk_total_bytes).key("free_bytes").value(s.disk_free_bytes);
      w.key("log_bytes").value(s.log_bytes).end_object();
    } else {
      w.null();
    }
    int64_t partitions = 0;
    int64_t internal = 0;
    for (const auto* t : topics) {
      partitions += t->internal ? 0 : t->partitions;
      internal += t->internal ? 1 : 0;
    }
    w.key("topics").value(static_cast<int64_t>(topics.size()) - internal);
    w.key("internal_topics").value(internal).key("partitions").value(partitions);
    w.key("throughput").begin_object().key("totals");
    write_totals(w, s.totals);
    if (!s.history.empty()) {
      w.key("rates");
      write_rates(w, s.history.back().rates);
    }
    w.key("history").begin_array();
    for (const auto& h : s.history) {
      w.begin_object().key("at").value(h.at_ms).key("rates");
      write_rates(w, h.rates);
      w.end_object();
    }
    w.end_array().end_object().end_object();
    co_return http_response::json(200, w.take());
  });

  r.add(verb::get, "/v1/topics", [&ctx](http_request& req) -> awaitable<http_response> {
    if (ctx.overview == nullptr) {
      co_return unavailable();
    }
    const backend::broker_summary s = ctx.overview->summary();
    json_writer w;
    w.begin_object().key("topics").begin_array();
    for (const auto* t : visible(ctx, req, s)) {
      w.begin_object().key("name").value(t->name).key("partitions").value(t->partitions);
      w.key("internal").value(t->internal).key("size_bytes").value(t->size_bytes);
      w.key("records").value(t->records).key("retention_ms").value(t->retention_ms);
      w.key("cleanup_policy").value(t->cleanup_policy).key("totals");
      write_totals(w, t->totals);
      w.key("rates");
      write_rates(w, t->rates);
      w.end_object();
    }
    w.end_array().end_object();
    co_return http_response::json(200, w.take());
  });
}

}  // namespace brook::http::rest
