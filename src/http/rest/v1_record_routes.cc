// GET /v1/topics/{topic}/records: a topic's records as a person browses them (the console's
// Messages page; doc/http-api.md), stateless, without a consumer:
//   ?partition=N         one partition (default: every partition)
//   ?from=beginning|end  where to start (default end: the newest `limit` of each partition)
//   ?offset=N            or from this offset of each partition (clamped into the log)
//   ?timestamp=T         or from the first record at or after T (ISO-8601 or epoch ms)
//   ?limit=N             at most N records (1 to 1000, default 100)
//   ?contains=TEXT       only records whose key or value holds TEXT
//   ?json_path=P&equals=V  only records whose JSON value has V at P (record_filter.h)
// {"topic","records":[write_display_record...],"next":[{"partition","offset","end"}],
//  "scanned","scan_limited"}: records ordered by timestamp (then partition, offset); `next`
// says where each partition's next page starts (ask again with offset= per partition, or
// follow it); a call reads at most 64 MiB of keys and values (scan_limited: true when it stopped
// there). READ on the topic (DESCRIBE to learn its partitions).
#include <algorithm>
#include <charconv>
#include <tuple>

#include "base/clock.h"
#include "http/rest/record_json.h"
#include "http/rest/record_query.h"
#include "http/rest/rest_api.h"
#include "http/rest/rest_response.h"

namespace brook::http::rest {

namespace {

using boost::asio::awaitable;
using boost::beast::http::verb;

constexpr int64_t max_limit = 1000;
constexpr size_t max_scan_bytes = 64U << 20;
constexpr size_t fetch_bytes = 1U << 20;

http_response bad(std::string message) {
  return error_response(error_codes::bad_request, std::move(message));
}

struct partition_scan {
  int32_t partition = 0;
  int64_t next = 0;  // where the next page starts
  int64_t end = 0;   // the high watermark when the browse began
};

awaitable<http_response> browse(rest_context& ctx, http_request& req) {
  request_backend view(ctx, req);
  const std::string& topic = req.param("topic");
  // The query, checked before anything is read.
  int64_t limit = 100;
  if (auto l = query_param(req, "limit")) {
    auto v = whole_number(*l);
    if (!v || *v < 1 || *v > max_limit) {
      co_return bad("limit must be 1 to 1000");
    }
    limit = *v;
  }
  const auto from = query_param(req, "from");
  const auto offset = query_param(req, "offset");
  const auto timestamp = query_param(req, "timestamp");
  if ((from ? 1 : 0) + (offset ? 1 : 0) + (timestamp ? 1 : 0) > 1) {
    co_return bad("give one of from, offset and timestamp");
  }
  if (from && *from != "beginning" && *from != "end") {
    co_return bad("from must be beginning or end");
  }
  std::optional<int64_t> start_offset;
  if (offset) {
    start_offset = whole_number(*offset);
    if (!start_offset || *start_offset < 0) {
      co_return bad("offset must be a whole number, 0 or more");
    }
  }
  std::optional<int64_t> start_time;
  if (timestamp) {
    start_time = time_of(*timestamp);
    if (!start_time) {
      co_return bad("timestamp must be an ISO-8601 time (2026-12-07T10:00:00Z) or epoch ms");
    }
  }
  const bool from_end = !offset && !timestamp && (!from || *from == "end");
  auto filter = filter_of(req);
  if (!filter) {
    co_return bad(filter.error());
  }

  auto described = co_await view.calls.describe_topic(topic);
  if (!described) {
    co_return error_response(from_backend(described.error()));
  }
  auto named = partitions_named(req, topic, described->partitions.size());
  if (!named) {
    co_return error_response(named.error());
  }
  const std::vector<int32_t>& partitions = *named;

  // Where each partition starts, then its records from there up to the end seen now.
  std::vector<partition_scan> scans;
  std::vector<backend::fetched_record> kept;
  size_t scanned = 0;
  size_t scanned_bytes = 0;
  bool scan_limited = false;
  for (int32_t p : partitions) {
    auto offsets = co_await view.calls.offsets(topic, p);
    if (!offsets) {
      co_return error_response(from_backend(offsets.error()));
    }
    partition_scan s{p, offsets->beginning, offsets->end};
    if (from_end) {
      s.next = std::max(offsets->beginning, offsets->end - limit);
    } else if (start_offset) {
      s.next = std::clamp(*start_offset, offsets->beginning, offsets->end);
    } else if (start_time) {
      auto at = co_await view.calls.offset_for_time(topic, p, *start_time);
      if (!at) {
        co_return error_response(from_backend(at.error()));
      }
      s.next = std::clamp(*at, offsets->beginning, offsets->end);
    }
    int64_t matched = 0;
    while (matched < limit && s.next < s.end && !scan_limited) {
      backend::fetch_request f;
      f.topic = topic;
      f.partition = p;
      f.offset = s.next;
      f.max_bytes = fetch_bytes;
      auto got = co_await view.calls.fetch(f);
      if (!got) {
        co_return error_response(from_backend(got.error()));
      }
      if (got->empty()) {
        break;
      }
      const int64_t before = s.next;
      for (auto& r : *got) {
        if (r.offset < s.next) {
          continue;  // the start of a batch before the asked-for offset
        }
        if (r.offset >= s.end || matched >= limit) {
          break;
        }
        s.next = r.offset + 1;
        ++scanned;
        scanned_bytes += (r.key ? r.key->size() : 0) + (r.value ? r.value->size() : 0);
        if (filter->matches(r)) {
          kept.push_back(std::move(r));
          ++matched;
        }
      }
      if (s.next == before) {
        // Nothing at or after the offset in what came back (a compacted gap ends the log).
        break;
      }
      scan_limited = scanned_bytes >= max_scan_bytes;
    }
    scans.push_back(s);
  }

  // One page: by time across partitions. Beyond `limit`, the newest are kept when reading
  // from the end, else the oldest; a partition's next page then starts at its first record
  // left out.
  std::stable_sort(kept.begin(), kept.end(), [](const auto& a, const auto& b) {
    return std::tie(a.timestamp_ms, a.partition, a.offset) <
           std::tie(b.timestamp_ms, b.partition, b.offset);
  });
  if (static_cast<int64_t>(kept.size()) > limit) {
    if (from_end) {
      kept.erase(kept.begin(), kept.end() - limit);
    } else {
      for (auto it = kept.begin() + limit; it != kept.end(); ++it) {
        for (auto& s : scans) {
          if (s.partition == it->partition) {
            s.next = std::min(s.next, it->offset);
          }
        }
      }
      kept.resize(static_cast<size_t>(limit));
    }
  }

  json_writer w;
  w.begin_object().key("topic").value(topic).key("records").begin_array();
  for (const auto& r : kept) {
    write_display_record(w, r.partition, r.offset, r.timestamp_ms, r.key, r.value, r.headers);
  }
  w.end_array().key("next").begin_array();
  for (const auto& s : scans) {
    w.begin_object().key("partition").value(s.partition).key("offset").value(s.next);
    w.key("end").value(s.end).end_object();
  }
  w.end_array();
  w.key("scanned").value(static_cast<uint64_t>(scanned)).key("scan_limited").value(scan_limited);
  w.end_object();
  co_return http_response::json(200, w.take());
}

}  // namespace

void add_v1_record_routes(router& r, rest_context& ctx) {
  r.add(verb::get, "/v1/topics/{topic}/records",
        [&ctx](http_request& req) -> awaitable<http_response> { return browse(ctx, req); });
}

}  // namespace brook::http::rest
