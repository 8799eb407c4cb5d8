// GET /v1/groups/{group}/lag: how far a consumer group is behind, measured by the broker
// (broker/service/group_lag.h): per partition its committed offset, the log end, the lag
// in records and in seconds, and the totals. DESCRIBE on the group; the topics the caller
// may not describe are left out (as OffsetFetch leaves them out).
//   {"group":"g","total_lag":12,"max_lag_seconds":3.5,
//    "partitions":[{"topic":"t","partition":0,"committed_offset":5,"log_end_offset":17,
//                   "lag":12,"lag_seconds":3.5}]}
// An unknown group: 404. Unknown values are null.
#include "http/rest/rest_api.h"
#include "http/rest/rest_response.h"

namespace brook::http::rest {

using boost::asio::awaitable;
using boost::beast::http::verb;

void add_v1_group_routes(router& r, rest_context& ctx) {
  r.add(verb::get, "/v1/groups/{group}/lag", [&ctx](http_request& req) -> awaitable<http_response> {
    request_backend view(ctx, req);
    const std::string& group = req.param("group");
    auto offsets = co_await view.calls.group_offsets(group);
    if (!offsets) {
      co_return error_response(from_backend(offsets.error()));
    }
    int64_t total = 0;
    double max_seconds = 0;
    json_writer w;
    w.begin_object().key("group").value(group);
    w.key("partitions").begin_array();
    for (const auto& p : *offsets) {
      w.begin_object().key("topic").value(p.topic).key("partition").value(p.partition);
      auto number_or_null = [&w](int64_t v) {
        if (v >= 0) {
          w.value(v);
        } else {
          w.null();
        }
      };
      w.key("committed_offset");
      number_or_null(p.committed);
      w.key("log_end_offset");
      number_or_null(p.end);
      w.key("lag");
      number_or_null(p.lag);
      w.key("lag_seconds");
      if (p.lag_seconds >= 0) {
        w.value(p.lag_seconds);
      } else {
        w.null();
      }
      w.end_object();
      total += std::max<int64_t>(0, p.lag);
      max_seconds = std::max(max_seconds, p.lag_seconds);
    }
    w.end_array();
    w.key("total_lag").value(total).key("max_lag_seconds").value(max_seconds);
    w.end_object();
    co_return http_response::json(200, w.take());
  });
}

}  // namespace brook::http::rest
