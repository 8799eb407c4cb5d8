// GET /v1/topics/{topic}/live: a topic's new records as they arrive, as Server-Sent Events
// (the console's live tail; doc/http-api.md "Live tail"). From each partition's end at the
// time of the call, every partition or ?partition=N, filtered on the server as a browse is
// (?contains, ?json_path & ?equals: record_filter.h). Events:
//   event: records   data: [write_display_record, ...]   (up to 500 per event)
//   event: skipped   data: {"partition":0,"records":N}   (the client fell more than
//                    10,000 records behind: the stream jumps ahead and says how far)
//   : keep-alive     (a comment every 15 s of quiet)
//   event: error     data: "why" (the stream ends: the console session ended, a read failed)
// The server holds no queue: it reads as fast as the client takes the events (a client that
// takes nothing for http.request_timeout_ms is cut off), so a slow page costs nothing but
// its own lag. READ on the topic (DESCRIBE to learn its partitions). Ends when the server
// stops.
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>

#include "http/http_authentication.h"
#include "http/rest/record_json.h"
#include "http/rest/record_query.h"
#include "http/rest/rest_api.h"
#include "http/rest/rest_response.h"

namespace brook::http::rest {

namespace {

using boost::asio::awaitable;
using boost::beast::http::verb;
using std::chrono::steady_clock;

constexpr size_t max_event_records = 500;
constexpr size_t fetch_bytes = 256U << 10;
constexpr int64_t max_behind = 10000;
constexpr int64_t kept_when_skipping = 1000;
constexpr auto idle_poll = std::chrono::milliseconds(200);
constexpr auto keep_alive_every = std::chrono::seconds(15);
constexpr auto end_check_every = std::chrono::seconds(1);

struct tailed {
  int32_t partition = 0;
  int64_t next = 0;
};

// Answers an error before the stream starts. (Callers name the error first: no class-type
// temporary inside a co_await expression, GCC 12.)
awaitable<void> refuse(http_stream& out, const rest_error& e) {
  http_response r = error_response(e);
  co_await out.write_whole(r.status, r.content_type, r.body);
}

awaitable<void> live(rest_context& ctx, http_request& req, http_stream& out) {
  request_backend view(ctx, req);
  const std::string& topic = req.param("topic");
  auto filter = filter_of(req);
  if (!filter) {
    const rest_error e{400, error_codes::bad_request, filter.error()};
    co_await refuse(out, e);
    co_return;
  }
  auto described = co_await view.calls.describe_topic(topic);
  if (!described) {
    const rest_error e = from_backend(described.error());
    co_await refuse(out, e);
    co_return;
  }
  auto named = partitions_named(req, topic, described->partitions.size());
  if (!named) {
    const rest_error& e = named.error();
    co_await refuse(out, e);
    co_return;
  }
  std::vector<tailed> parts;
  for (int32_t p : *named) {
    parts.push_back({p, 0});
  }
  for (auto& t : parts) {
    auto offsets = co_await view.calls.offsets(topic, t.partition);
    if (!offsets) {
      const rest_error e = from_backend(offsets.error());
      co_await refuse(out, e);
      co_return;
    }
    t.next = offsets->end;
  }
  if (!co_await out.begin_chunked(200, "text/event-stream")) {
    co_return;
  }
  std::string hello = "retry: 3000\n: live tail of " + topic + "\n\n";
  if (!co_await out.write_chunk(hello)) {
    co_return;
  }
  // A stream opened through a console session ends with it (logout, expiry, a new
  // password), checked once a second.
  std::optional<std::string> session;
  if (req.header("Authorization").empty() && ctx.authentication != nullptr &&
      ctx.authentication->sessions() != nullptr) {
    if (auto id = cookie_value(req.header("Cookie"), session_cookie)) {
      session = std::string(*id);
    }
  }
  size_t first = 0;  // where each pass starts: every partition gets its turn
  auto executor = co_await boost::asio::this_coro::executor;
  boost::asio::steady_timer timer(executor);
  auto last_write = steady_clock::now();
  auto last_end_check = steady_clock::now();
  while (ctx.ready.load(std::memory_order_acquire)) {
    std::vector<backend::fetched_record> batch;
    std::string skipped;
    const bool check_ends = steady_clock::now() - last_end_check >= end_check_every;
    if (check_ends && session && !ctx.authentication->sessions()->alive(*session)) {
      std::string ended = "event: error\ndata: \"Your console session has ended\"\n\n";
      co_await out.write_chunk(ended);
      co_await out.end_chunked();
      co_return;
    }
    first = (first + 1) % parts.size();
    for (size_t i = 0; i < parts.size(); ++i) {
      auto& t = parts[(first + i) % parts.size()];
      if (check_ends) {
        auto offsets = co_await view.calls.offsets(topic, t.partition);
        if (offsets && offsets->end - t.next > max_behind) {
          const int64_t to = offsets->end - kept_when_skipping;
          skipped += "event: skipped\ndata: {\"partition\":" + std::to_string(t.partition) +
                     ",\"records\":" + std::to_string(to - t.next) + "}\n\n";
          t.next = to;
        }
      }
      if (batch.size() >= max_event_records) {
        continue;
      }
      backend::fetch_request f;
      f.topic = topic;
      f.partition = t.partition;
      f.offset = t.next;
      f.max_bytes = fetch_bytes;
      auto got = co_await view.calls.fetch(f);
      if (!got) {
        if (got.error().code == protocol::kafka_error::offset_out_of_range) {
          // Truncated or deleted under us (retention): go on from the new start.
          auto offsets = co_await view.calls.offsets(topic, t.partition);
          if (offsets) {
            t.next = std::clamp(t.next, offsets->beginning, offsets->end);
            continue;
          }
        }
        std::string failed =
            "event: error\ndata: " + json_writer::quoted(from_backend(got.error()).message) +
            "\n\n";
        co_await out.write_chunk(failed);
        co_await out.end_chunked();
        co_return;
      }
      for (auto& r : *got) {
        if (r.offset < t.next) {
          continue;
        }
        if (batch.size() >= max_event_records) {
          break;
        }
        t.next = r.offset + 1;
        if (filter->matches(r)) {
          batch.push_back(std::move(r));
        }
      }
    }
    if (check_ends) {
      last_end_check = steady_clock::now();
    }
    std::string event = std::move(skipped);
    if (!batch.empty()) {
      json_writer w;
      w.begin_array();
      for (const auto& r : batch) {
        write_display_record(w, r.partition, r.offset, r.timestamp_ms, r.key, r.value, r.headers);
      }
      w.end_array();
      event += "event: records\ndata: " + w.take() + "\n\n";
    } else if (event.empty() && steady_clock::now() - last_write >= keep_alive_every) {
      event = ": keep-alive\n\n";
    }
    if (!event.empty()) {
      if (!co_await out.write_chunk(event)) {
        co_return;  // the client went away
      }
      last_write = steady_clock::now();
    }
    if (batch.empty()) {
      timer.expires_after(idle_poll);
      co_await timer.async_wait(boost::asio::use_awaitable);
    }
  }
  co_await out.end_chunked();
}

}  // namespace

void add_v1_live_route(router& r, rest_context& ctx) {
  r.add_streaming(
      verb::get, "/v1/topics/{topic}/live",
      [&ctx](http_request& req, http_stream& out) -> awaitable<void> {
        return live(ctx, req, out);
      },
      true);
}

}  // namespace brook::http::rest
