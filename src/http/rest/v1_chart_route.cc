// GET /v1/topics/{topic}/chart: records over time, aggregated on the server (the console's
// Charts, the analytics seed's chart page; doc/http-api.md "Charts"):
//   ?from=T&to=T       the time range (ISO-8601 or epoch ms; default the last hour)
//   ?buckets=N         how many equal time buckets (1 to 1000, default 60)
//   ?partition=N       one partition (default every one)
//   ?field=P           a JSON path into the value ($.user.id); without it, records are counted
//   ?agg=A             count (default: with a field, records counted by the field's value,
//                      the `top` most frequent as series, the rest as "(other)"), sum, avg,
//                      min, max (of a number field)
//   ?top=N             series of a count by value (1 to 50, default 10)
//   ?contains, ?json_path & ?equals   the records counted, as a browse filters them
// {"topic","from","to","bucket_ms","field","agg","times":[bucket starts, epoch ms],
//  "series":[{"name","values":[per bucket; null where a bucket has no value]}],
//  "scanned","matched","missing_field","scan_limited","elapsed_ms"}
// Records are found by time (ListOffsets' lookup, then read from there to the first record
// at or after `to`); a call reads at most 512 MiB of keys and values (scan_limited). READ
// on the topic.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <unordered_map>

#include "base/clock.h"
#include "connect/json_fields.h"
#include "http/rest/record_query.h"
#include "http/rest/rest_api.h"
#include "http/rest/rest_response.h"

namespace brook::http::rest {

namespace {

using boost::asio::awaitable;
using boost::beast::http::verb;

constexpr int64_t max_buckets = 1000;
constexpr int64_t max_top = 50;
constexpr size_t max_scan_bytes = 512U << 20;
constexpr size_t fetch_bytes = 4U << 20;
// Values counted by value: at most this many distinct ones, and this many cells (values x
// buckets) in all; each value's first max_value_bytes kept.
constexpr size_t max_distinct = 10000;
constexpr size_t max_cells = 200'000;
constexpr size_t max_value_bytes = 256;
constexpr int64_t max_time_ms = 253'402'300'799'999;  // 9999-12-31T23:59:59.999Z
constexpr std::string_view other_values = "(other)";

http_response bad(std::string message) {
  return error_response(error_codes::bad_request, std::move(message));
}

enum class aggregate { count, sum, avg, min, max };

std::optional<aggregate> aggregate_named(std::string_view s) {
  static const std::pair<std::string_view, aggregate> names[] = {{"count", aggregate::count},
                                                                 {"sum", aggregate::sum},
                                                                 {"avg", aggregate::avg},
                                                                 {"min", aggregate::min},
                                                                 {"max", aggregate::max}};
  for (const auto& [n, a] : names) {
    if (s == n) {
      return a;
    }
  }
  return std::nullopt;
}

// Per bucket: a count, and for numbers their sum, min and max.
struct number_buckets {
  std::vector<int64_t> count;
  std::vector<double> sum;
  std::vector<double> min;
  std::vector<double> max;
  explicit number_buckets(size_t n)
      : count(n, 0),
        sum(n, 0),
        min(n, std::numeric_limits<double>::infinity()),
        max(n, -std::numeric_limits<double>::infinity()) {}
  void add(size_t b, double v) {
    ++count[b];
    sum[b] += v;
    min[b] = std::min(min[b], v);
    max[b] = std::max(max[b], v);
  }
};

awaitable<http_response> chart(rest_context& ctx, http_request& req) {
  const auto started = std::chrono::steady_clock::now();
  request_backend view(ctx, req);
  const std::string& topic = req.param("topic");
  const int64_t now = wall_clock_ms();
  int64_t to = now;
  if (auto t = query_param(req, "to")) {
    auto v = time_of(*t);
    if (!v) {
      co_return bad("to must be an ISO-8601 time (2026-12-07T10:00:00Z) or epoch ms");
    }
    to = *v;
  }
  int64_t from = to - 3'600'000;
  if (auto f = query_param(req, "from")) {
    auto v = time_of(*f);
    if (!v) {
      co_return bad("from must be an ISO-8601 time (2026-12-07T10:00:00Z) or epoch ms");
    }
    from = *v;
  }
  if (from < 0 || to > max_time_ms) {
    co_return bad("from and to must be times from 1970 to 9999");
  }
  if (from >= to) {
    co_return bad("from must be before to");
  }
  int64_t buckets = 60;
  if (auto b = query_param(req, "buckets")) {
    auto v = whole_number(*b);
    if (!v || *v < 1 || *v > max_buckets) {
      co_return bad("buckets must be 1 to 1000");
    }
    buckets = *v;
  }
  const int64_t bucket_ms = std::max<int64_t>(1, (to - from + buckets - 1) / buckets);
  aggregate agg = aggregate::count;
  if (auto a = query_param(req, "agg")) {
    auto v = aggregate_named(*a);
    if (!v) {
      co_return bad("agg must be count, sum, avg, min or max");
    }
    agg = *v;
  }
  std::optional<std::string> field;
  if (auto f = query_param(req, "field")) {
    auto p = record_filter::dotted_path(*f);
    if (!p) {
      co_return bad(p.error());
    }
    field = std::move(*p);
  }
  if (agg != aggregate::count && !field) {
    co_return bad("sum, avg, min and max need a field (a JSON path to a number)");
  }
  int64_t top = 10;
  if (auto t = query_param(req, "top")) {
    auto v = whole_number(*t);
    if (!v || *v < 1 || *v > max_top) {
      co_return bad("top must be 1 to 50");
    }
    top = *v;
  }
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

  const auto n = static_cast<size_t>(buckets);
  number_buckets numbers(n);
  std::unordered_map<std::string, std::vector<int64_t>> by_value;
  std::vector<int64_t> other(n, 0);
  connect::json_fields json;
  const std::string pointer = field ? connect::json_fields::pointer(*field) : std::string();
  std::string scratch;
  std::string key;
  const size_t distinct_limit = std::min(max_distinct, max_cells / n);
  uint64_t scanned = 0;
  uint64_t matched = 0;
  uint64_t missing = 0;
  size_t scanned_bytes = 0;
  bool scan_limited = false;
  const bool by_values = field && agg == aggregate::count;
  for (int32_t p : partitions) {
    auto first = co_await view.calls.offset_for_time(topic, p, from);
    auto stop = co_await view.calls.offset_for_time(topic, p, to);
    if (!first || !stop) {
      co_return error_response(from_backend(!first ? first.error() : stop.error()));
    }
    int64_t next = *first;
    while (next < *stop && !scan_limited) {
      backend::fetch_request f;
      f.topic = topic;
      f.partition = p;
      f.offset = next;
      f.max_bytes = fetch_bytes;
      auto got = co_await view.calls.fetch(f);
      if (!got) {
        co_return error_response(from_backend(got.error()));
      }
      const int64_t before = next;
      for (const auto& r : *got) {
        if (r.offset < next) {
          continue;
        }
        if (r.offset >= *stop) {
          break;
        }
        next = r.offset + 1;
        ++scanned;
        scanned_bytes += (r.key ? r.key->size() : 0) + (r.value ? r.value->size() : 0);
        if (r.timestamp_ms < from || r.timestamp_ms >= to || !filter->matches(r)) {
          continue;
        }
        ++matched;
        const auto b = static_cast<size_t>((r.timestamp_ms - from) / bucket_ms);
        if (b >= n) {
          continue;  // cannot happen with from < to within max_time_ms; kept as a guard
        }
        if (!field) {
          ++numbers.count[b];
          continue;
        }
        if (!r.value || !json.load(*r.value)) {
          ++missing;
          continue;
        }
        if (by_values) {
          auto value = json.text_at(pointer, scratch);
          if (!value) {
            ++missing;
            continue;
          }
          key.assign(value->substr(0, max_value_bytes));  // no allocation once it fits
          auto it = by_value.find(key);
          if (it == by_value.end()) {
            if (by_value.size() >= distinct_limit) {
              ++other[b];
              continue;
            }
            it = by_value.emplace(key, std::vector<int64_t>(n, 0)).first;
          }
          ++it->second[b];
          continue;
        }
        auto number = json.number_at(pointer);
        if (!number) {
          ++missing;  // absent, or not a number
          continue;
        }
        numbers.add(b, *number);
      }
      if (next == before) {
        break;
      }
      scan_limited = scanned_bytes >= max_scan_bytes;
    }
  }

  json_writer w;
  w.begin_object().key("topic").value(topic).key("from").value(from).key("to").value(to);
  w.key("bucket_ms").value(bucket_ms).key("field");
  if (field) {
    w.value(*field);
  } else {
    w.null();
  }
  const char* agg_names[] = {"count", "sum", "avg", "min", "max"};
  w.key("agg").value(agg_names[static_cast<int>(agg)]);
  w.key("times").begin_array();
  for (size_t b = 0; b < n; ++b) {
    w.value(from + static_cast<int64_t>(b) * bucket_ms);
  }
  w.end_array().key("series").begin_array();
  auto series = [&w](std::string_view name, auto value_of, size_t count) {
    w.begin_object().key("name").value(name).key("values").begin_array();
    for (size_t b = 0; b < count; ++b) {
      value_of(b);
    }
    w.end_array().end_object();
  };
  if (by_values) {
    std::vector<std::pair<int64_t, const std::string*>> totals;
    for (const auto& [value, counts] : by_value) {
      int64_t total = 0;
      for (auto c : counts) {
        total += c;
      }
      totals.emplace_back(total, &value);
    }
    std::sort(totals.begin(), totals.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : *a.second < *b.second;
    });
    bool any_other = std::any_of(other.begin(), other.end(), [](int64_t c) { return c > 0; });
    for (size_t i = 0; i < totals.size(); ++i) {
      const auto& counts = by_value[*totals[i].second];
      if (static_cast<int64_t>(i) < top) {
        series(
            *totals[i].second, [&](size_t b) { w.value(counts[b]); }, n);
      } else {
        for (size_t b = 0; b < n; ++b) {
          other[b] += counts[b];
        }
        any_other = true;
      }
    }
    if (any_other) {
      series(
          other_values, [&](size_t b) { w.value(other[b]); }, n);
    }
  } else if (agg == aggregate::count) {
    series(
        "records", [&](size_t b) { w.value(numbers.count[b]); }, n);
  } else {
    series(
        std::string(agg_names[static_cast<int>(agg)]) + " of " + *field,
        [&](size_t b) {
          if (numbers.count[b] == 0) {
            w.null();
          } else if (agg == aggregate::sum) {
            w.value(numbers.sum[b]);
          } else if (agg == aggregate::avg) {
            w.value(numbers.sum[b] / static_cast<double>(numbers.count[b]));
          } else {
            w.value(agg == aggregate::min ? numbers.min[b] : numbers.max[b]);
          }
        },
        n);
  }
  w.end_array();
  w.key("scanned").value(scanned).key("matched").value(matched);
  w.key("missing_field").value(missing).key("scan_limited").value(scan_limited);
  w.key("elapsed_ms")
      .value(static_cast<int64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::chrono::steady_clock::now() - started)
                                      .count()));
  w.end_object();
  co_return http_response::json(200, w.take());
}

}  // namespace

void add_v1_chart_route(router& r, rest_context& ctx) {
  r.add(verb::get, "/v1/topics/{topic}/chart",
        [&ctx](http_request& req) -> awaitable<http_response> { return chart(ctx, req); });
}

}  // namespace brook::http::rest
