// v2 metadata and the stateless read:
//   GET /topics, /topics/{topic}, /topics/{topic}/partitions,
//   /topics/{topic}/partitions/{partition}, .../offsets, /brokers,
//   GET /topics/{topic}/partitions/{partition}/records?offset=&count=&timeout=&max_bytes=
#include <charconv>

#include "http/await.h"
#include "http/rest/record_json.h"
#include "http/rest/rest_api.h"
#include "http/rest/rest_response.h"

namespace brook::http::rest {

namespace {

using boost::asio::awaitable;
using boost::beast::http::verb;

template <typename T>
std::optional<T> parse_number(std::string_view text) {
  T v{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return v;
}

void write_partition(json_writer& w, const backend::partition_info& p) {
  w.begin_object().key("partition").value(p.id).key("leader").value(p.leader);
  w.key("replicas").begin_array();
  for (int32_t b : p.replicas) {
    w.begin_object().key("broker").value(b).key("leader").value(b == p.leader);
    w.key("in_sync").value(true).end_object();
  }
  w.end_array().end_object();
}

// The topic and one of its partitions from the path, or the error answer.
struct partition_lookup {
  std::optional<backend::topic_info> topic;
  const backend::partition_info* partition = nullptr;
  std::optional<http_response> error;
};

awaitable<partition_lookup> find_partition(rest_context& ctx, http_request& req) {
  request_backend view(ctx, req);
  partition_lookup out;
  auto t = co_await view.calls.describe_topic(req.param("topic"));
  if (!t) {
    out.error = error_response(from_backend(t.error()));
    co_return out;
  }
  out.topic = std::move(*t);
  auto p = parse_number<int32_t>(req.param("partition"));
  if (!p || *p < 0 || *p >= static_cast<int32_t>(out.topic->partitions.size())) {
    out.error = error_response(error_codes::partition_not_found, "Partition not found.");
    co_return out;
  }
  out.partition = &out.topic->partitions[static_cast<size_t>(*p)];
  co_return out;
}

awaitable<http_response> list_topics(rest_context& ctx, http_request& req) {
  request_backend view(ctx, req);
  auto topics = co_await view.calls.list_topics();
  if (!topics) {
    co_return error_response(from_backend(topics.error()));
  }
  json_writer w;
  w.begin_array();
  for (const auto& t : *topics) {
    w.value(t.name);
  }
  w.end_array();
  co_return http_response::json(200, w.take(), v2_content_type);
}

awaitable<http_response> get_topic(rest_context& ctx, http_request& req) {
  request_backend view(ctx, req);
  auto t = co_await view.calls.describe_topic(req.param("topic"));
  if (!t) {
    co_return error_response(from_backend(t.error()));
  }
  auto configs = co_await view.calls.topic_configs(t->name);
  json_writer w;
  w.begin_object().key("name").value(t->name).key("configs").begin_object();
  if (configs) {
    for (const auto& c : *configs) {
      w.key(c.name);
      if (c.value) {
        w.value(*c.value);
      } else {
        w.null();
      }
    }
  }
  w.end_object().key("partitions").begin_array();
  for (const auto& p : t->partitions) {
    write_partition(w, p);
  }
  w.end_array().end_object();
  co_return http_response::json(200, w.take(), v2_content_type);
}

awaitable<http_response> list_partitions(rest_context& ctx, http_request& req) {
  request_backend view(ctx, req);
  auto t = co_await view.calls.describe_topic(req.param("topic"));
  if (!t) {
    co_return error_response(from_backend(t.error()));
  }
  json_writer w;
  w.begin_array();
  for (const auto& p : t->partitions) {
    write_partition(w, p);
  }
  w.end_array();
  co_return http_response::json(200, w.take(), v2_content_type);
}

awaitable<http_response> get_partition(rest_context& ctx, http_request& req) {
  auto found = co_await find_partition(ctx, req);
  if (found.error) {
    co_return std::move(*found.error);
  }
  json_writer w;
  write_partition(w, *found.partition);
  co_return http_response::json(200, w.take(), v2_content_type);
}

awaitable<http_response> get_offsets(rest_context& ctx, http_request& req) {
  request_backend view(ctx, req);
  auto found = co_await find_partition(ctx, req);
  if (found.error) {
    co_return std::move(*found.error);
  }
  auto o = co_await view.calls.offsets(found.topic->name, found.partition->id);
  if (!o) {
    co_return error_response(from_backend(o.error()));
  }
  json_writer w;
  w.begin_object().key("beginning_offset").value(o->beginning);
  w.key("end_offset").value(o->end).end_object();
  co_return http_response::json(200, w.take(), v2_content_type);
}

awaitable<http_response> read_records(rest_context& ctx, http_request& req) {
  request_backend view(ctx, req);
  auto format = accepted_format(req.header("Accept"), embedded_format::binary);
  if (!format) {
    co_return error_response(error_codes::not_acceptable,
                             "HTTP 406 Not Acceptable: ask for application/vnd.kafka.json.v2+json "
                             "or application/vnd.kafka.binary.v2+json");
  }
  auto found = co_await find_partition(ctx, req);
  if (found.error) {
    co_return std::move(*found.error);
  }
  auto query = [&](const char* name) -> std::optional<std::string_view> {
    auto it = req.query.find(name);
    return it == req.query.end() ? std::nullopt : std::optional<std::string_view>(it->second);
  };
  backend::fetch_request f;
  f.topic = found.topic->name;
  f.partition = found.partition->id;
  auto offset_text = query("offset");
  if (!offset_text) {
    co_return error_response(error_codes::bad_request, "the offset query parameter is required");
  }
  auto offset = parse_number<int64_t>(*offset_text);
  auto count = parse_number<int64_t>(query("count").value_or("1000000"));
  auto timeout = parse_number<int64_t>(query("timeout").value_or("0"));
  auto max_bytes = parse_number<int64_t>(query("max_bytes").value_or("1048576"));
  if (!offset || *offset < 0 || !count || *count < 1 || !timeout || *timeout < 0 || !max_bytes ||
      *max_bytes < 1) {
    co_return error_response(error_codes::bad_request,
                             "offset, count, timeout and max_bytes must be non-negative integers "
                             "(count and max_bytes at least 1)");
  }
  f.offset = *offset;
  f.max_bytes = static_cast<size_t>(std::min<int64_t>(*max_bytes, int64_t{64} << 20));
  f.max_wait = std::chrono::milliseconds(std::min<int64_t>(*timeout, 60000));
  auto records = co_await await_callback<backend::outcome<std::vector<backend::fetched_record>>>(
      [&](auto done) { view.backend.fetch(std::move(f), std::move(done)); });
  if (!records) {
    co_return error_response(from_backend(records.error()));
  }
  json_writer w;
  w.begin_array();
  int64_t n = 0;
  for (const auto& r : *records) {
    if (n++ >= *count) {
      break;
    }
    record_view v{found.topic->name, r.partition, r.offset, r.timestamp_ms, &r.key,
                  &r.value,          &r.headers};
    write_record(w, v, *format);
  }
  w.end_array();
  auto type = *format == embedded_format::json ? "application/vnd.kafka.json.v2+json"
                                               : "application/vnd.kafka.binary.v2+json";
  co_return http_response::json(200, w.take(), type);
}

}  // namespace

void add_v2_topic_routes(router& r, rest_context& ctx) {
  r.add(verb::get, "/topics", [&ctx](http_request& req) { return list_topics(ctx, req); });
  r.add(verb::get, "/topics/{topic}", [&ctx](http_request& req) { return get_topic(ctx, req); });
  r.add(verb::get, "/topics/{topic}/partitions",
        [&ctx](http_request& req) { return list_partitions(ctx, req); });
  r.add(verb::get, "/topics/{topic}/partitions/{partition}",
        [&ctx](http_request& req) { return get_partition(ctx, req); });
  r.add(verb::get, "/topics/{topic}/partitions/{partition}/offsets",
        [&ctx](http_request& req) { return get_offsets(ctx, req); });
  r.add(verb::get, "/topics/{topic}/partitions/{partition}/records",
        [&ctx](http_request& req) { return read_records(ctx, req); });
  r.add(verb::get, "/brokers", [&ctx](http_request&) -> awaitable<http_response> {
    auto c = co_await ctx.calls.cluster();
    if (!c) {
      co_return error_response(from_backend(c.error()));
    }
    json_writer w;
    w.begin_object().key("brokers").begin_array();
    for (const auto& b : c->brokers) {
      w.value(b.id);
    }
    w.end_array().end_object();
    co_return http_response::json(200, w.take(), v2_content_type);
  });
}

}  // namespace brook::http::rest
