// v2 stateful consumers: /consumers/{group} and /consumers/{group}/instances/{instance}/...
// (subscription, assignments, positions, records, offsets). Each instance is a consumer
// session of the event backend in a real consumer group (consumer_instance.h); the routes
// await its calls.
#include <charconv>

#include "http/await.h"
#include "http/origin_policy.h"
#include "http/rest/consumer_registry.h"
#include "http/rest/json_input.h"
#include "http/rest/record_json.h"
#include "http/rest/rest_api.h"
#include "http/rest/rest_response.h"

namespace brook::http::rest {

namespace {

// The authority of URLs given back (base_uri): the request's Host when it is a plain
// host[:port], else localhost.
std::string uri_host(const http_request& req) {
  auto host = req.header("Host");
  return is_host_text(host) ? std::string(host) : std::string("localhost");
}

using boost::asio::awaitable;
using boost::beast::http::verb;

rest_error not_found() {
  return rest_error::make(error_codes::consumer_instance_not_found, "Consumer instance not found.");
}

http_response answer(const std::optional<rest_error>& e, unsigned ok_status = 204) {
  if (e) {
    return error_response(*e);
  }
  return ok_status == 204 ? http_response::no_content()
                          : http_response::json(ok_status, {}, v2_content_type);
}

struct body_doc {
  simdjson::ondemand::document doc;
  simdjson::ondemand::object obj;
  std::optional<rest_error> error;
};

thread_local simdjson::ondemand::parser parser;

// A body must come as JSON: application/vnd.kafka[.format].v2+json or application/json.
std::optional<rest_error> check_media(const http_request& req) {
  if (req.body.empty() || parse_v2_media_type(req.media_type())) {
    return std::nullopt;
  }
  return rest_error::make(error_codes::unsupported_media_type,
                          "HTTP 415 Unsupported Media Type: use application/vnd.kafka.v2+json");
}

// The body as a JSON object; `empty_ok`: an empty body is an empty object.
bool parse_body(std::string& body, body_doc& out, bool empty_ok = false) {
  if (trim_json(body).empty() && empty_ok) {
    body = "{}";
  }
  if (!is_valid_json(body)) {
    out.error = rest_error::make(error_codes::bad_request, "malformed JSON");
    return false;
  }
  if (parser.iterate(padded(body)).get(out.doc) || out.doc.get_object().get(out.obj)) {
    out.error = rest_error::make(error_codes::unprocessable_entity, "expected a JSON object");
    return false;
  }
  return true;
}

rest_error shape(std::string message) {
  return rest_error::make(error_codes::unprocessable_entity, std::move(message));
}

// {"<field>": [{"topic", "partition"[, "offset"]}]}: the entries, or the error.
struct entries {
  std::vector<partition_offset> items;
  bool present = false;
  std::optional<rest_error> error;
};

entries read_entries(http_request& req, const char* field, bool with_offset, bool empty_ok) {
  entries out;
  if (auto e = check_media(req)) {
    out.error = std::move(e);
    return out;
  }
  body_doc b;
  if (!parse_body(req.body, b, empty_ok)) {
    out.error = b.error;
    return out;
  }
  for (auto f : b.obj) {
    std::string_view key;
    if (f.unescaped_key().get(key)) {
      out.error = rest_error::make(error_codes::bad_request, "malformed JSON");
      return out;
    }
    if (key != field) {
      continue;
    }
    out.present = true;
    simdjson::ondemand::array arr;
    if (f.value().get_array().get(arr)) {
      out.error = shape(std::string("\"") + field + "\" must be an array");
      return out;
    }
    for (auto item : arr) {
      simdjson::ondemand::object o;
      if (item.get_object().get(o)) {
        out.error = shape(std::string("each entry of \"") + field + "\" must be an object");
        return out;
      }
      partition_offset p;
      bool has_topic = false;
      bool has_partition = false;
      bool has_offset = false;
      for (auto e : o) {
        std::string_view k;
        if (e.unescaped_key().get(k)) {
          out.error = rest_error::make(error_codes::bad_request, "malformed JSON");
          return out;
        }
        if (k == "topic") {
          std::string_view s;
          if (e.value().get_string().get(s)) {
            out.error = shape("topic must be a string");
            return out;
          }
          p.topic = std::string(s);
          has_topic = true;
        } else if (k == "partition") {
          int64_t n = 0;
          if (e.value().get_int64().get(n) || n < 0 || n > INT32_MAX) {
            out.error = rest_error::make(error_codes::invalid_offset_or_partition,
                                         "partition must be a partition number");
            return out;
          }
          p.partition = static_cast<int32_t>(n);
          has_partition = true;
        } else if (k == "offset" && with_offset) {
          int64_t n = 0;
          if (e.value().get_int64().get(n) || n < 0) {
            out.error = rest_error::make(error_codes::invalid_offset_or_partition,
                                         "offset must be a non-negative integer");
            return out;
          }
          p.offset = n;
          has_offset = true;
        } else if (k == "metadata" && with_offset) {
          std::string_view s;
          if (e.value().get_string().get(s) == simdjson::SUCCESS) {
            p.metadata = std::string(s);
          }
        }
      }
      if (!has_topic || !has_partition || (with_offset && !has_offset)) {
        out.error = shape(std::string("each entry of \"") + field + "\" needs topic, partition" +
                          (with_offset ? " and offset" : ""));
        return out;
      }
      out.items.push_back(std::move(p));
    }
  }
  if (!out.present && !empty_ok) {
    out.error = shape(std::string("the body has no \"") + field + "\" array");
  }
  return out;
}

std::vector<topic_partition> partitions_of(const std::vector<partition_offset>& items) {
  std::vector<topic_partition> out;
  out.reserve(items.size());
  for (const auto& i : items) {
    out.push_back({i.topic, i.partition});
  }
  return out;
}

void write_partitions(json_writer& w, const std::vector<topic_partition>& ps) {
  w.begin_array();
  for (const auto& p : ps) {
    w.begin_object().key("topic").value(p.topic).key("partition").value(p.partition).end_object();
  }
  w.end_array();
}

awaitable<http_response> create_instance(rest_context& ctx, http_request& req) {
  if (auto e = check_media(req)) {
    co_return error_response(*e);
  }
  body_doc b;
  if (!parse_body(req.body, b, true)) {
    co_return error_response(*b.error);
  }
  consumer_settings s;
  s.group = req.param("group");
  for (auto f : b.obj) {
    std::string_view key;
    if (f.unescaped_key().get(key)) {
      co_return error_response(error_codes::bad_request, "malformed JSON");
    }
    simdjson::ondemand::value v;
    if (f.value().get(v)) {
      co_return error_response(error_codes::bad_request, "malformed JSON");
    }
    bool is_null = false;
    if (v.is_null().get(is_null) == simdjson::SUCCESS && is_null) {
      continue;
    }
    // Confluent takes strings for every setting; numbers and booleans are taken too.
    std::string text;
    std::string_view sv;
    if (v.get_string().get(sv) == simdjson::SUCCESS) {
      text = std::string(sv);
    } else {
      text = std::string(trim_json(v.raw_json_token()));
    }
    auto as_int = [&](const char* what) -> std::optional<int> {
      int n = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
      if (ec != std::errc{} || end != text.data() + text.size()) {
        return std::nullopt;
      }
      (void)what;
      return n;
    };
    if (key == "name" || key == "id") {
      s.name = text;
    } else if (key == "format") {
      s.format = text;
    } else if (key == "auto.offset.reset") {
      s.auto_offset_reset = text;
    } else if (key == "auto.commit.enable") {
      if (text != "true" && text != "false") {
        co_return error_response(error_codes::invalid_consumer_config,
                                 "Invalid consumer configuration: auto.commit.enable must be "
                                 "true or false");
      }
      s.auto_commit = text == "true";
    } else if (key == "fetch.min.bytes" || key == "consumer.request.timeout.ms") {
      auto n = as_int(key.data());
      if (!n) {
        co_return error_response(
            error_codes::invalid_consumer_config,
            "Invalid consumer configuration: " + std::string(key) + " must be an integer");
      }
      (key == "fetch.min.bytes" ? s.fetch_min_bytes : s.request_timeout_ms) = *n;
    }
  }
  s.owner = req.principal;
  request_backend view(ctx, req);
  // An instance holds a place under http.max_consumer_instances: only who may read the
  // group (join it) may take one.
  if (!view.backend.who().may(security::acl_operation::read, security::resource_type::group,
                              s.group)) {
    co_return error_response(
        from_backend(backend::access_denied(security::resource_type::group, s.group)));
  }
  // Opening a session sends nothing: no wait. The session acts as this request's principal.
  auto created = ctx.consumers.create(s, &view.backend);
  if (created.error) {
    co_return error_response(*created.error);
  }
  json_writer w;
  w.begin_object().key("instance_id").value(created.name);
  w.key("base_uri")
      .value(std::string(req.scheme()) + uri_host(req) + "/consumers/" +
             escape_path_segment(s.group) + "/instances/" + escape_path_segment(created.name));
  w.end_object();
  co_return http_response::json(200, w.take(), v2_content_type);
}

// Awaits `op(instance)` for the instance of the path (`found`: whether there is one).
template <typename Op>
awaitable<typename std::invoke_result_t<Op, consumer_instance&>::value_type> with_instance(
    rest_context& ctx, http_request& req, Op op, bool& found) {
  auto inst = ctx.consumers.find(req.param("group"), req.param("instance"), req.principal);
  found = inst != nullptr;
  using T = typename std::invoke_result_t<Op, consumer_instance&>::value_type;
  if (!inst) {
    co_return T{};
  }
  auto call = op(*inst);  // `inst` keeps the instance alive while its call runs
  co_return co_await std::move(call);
}

using instance_op = std::function<awaitable<std::optional<rest_error>>(consumer_instance&)>;

awaitable<http_response> simple(rest_context& ctx, http_request& req, instance_op op) {
  bool found = false;
  auto e = co_await with_instance(ctx, req, op, found);
  if (!found) {
    co_return error_response(not_found());
  }
  co_return answer(e);
}

awaitable<http_response> subscribe(rest_context& ctx, http_request& req) {
  if (auto e = check_media(req)) {
    co_return error_response(*e);
  }
  body_doc b;
  if (!parse_body(req.body, b)) {
    co_return error_response(*b.error);
  }
  std::vector<std::string> topics;
  std::optional<std::string> pattern;
  for (auto f : b.obj) {
    std::string_view key;
    if (f.unescaped_key().get(key)) {
      co_return error_response(error_codes::bad_request, "malformed JSON");
    }
    if (key == "topics") {
      simdjson::ondemand::array arr;
      if (f.value().get_array().get(arr)) {
        co_return error_response(shape("\"topics\" must be an array of names"));
      }
      for (auto t : arr) {
        std::string_view s;
        if (t.get_string().get(s)) {
          co_return error_response(shape("\"topics\" must be an array of names"));
        }
        topics.emplace_back(s);
      }
    } else if (key == "topic_pattern") {
      std::string_view s;
      if (f.value().get_string().get(s)) {
        co_return error_response(shape("\"topic_pattern\" must be a string"));
      }
      pattern = std::string(s);
    }
  }
  instance_op op = [topics, pattern](consumer_instance& c) { return c.subscribe(topics, pattern); };
  co_return co_await simple(ctx, req, std::move(op));
}

awaitable<http_response> get_subscription(rest_context& ctx, http_request& req) {
  bool found = false;
  auto op = [](consumer_instance& c) { return c.subscription(); };
  auto a = co_await with_instance(ctx, req, op, found);
  if (!found) {
    co_return error_response(not_found());
  }
  if (a.error) {
    co_return error_response(*a.error);
  }
  json_writer w;
  w.begin_object().key("topics").begin_array();
  for (const auto& t : a.topics) {
    w.value(t);
  }
  w.end_array();
  if (a.topic_pattern) {
    w.key("topic_pattern").value(*a.topic_pattern);
  }
  w.end_object();
  co_return http_response::json(200, w.take(), v2_content_type);
}

awaitable<http_response> assign(rest_context& ctx, http_request& req) {
  auto e = read_entries(req, "partitions", false, false);
  if (e.error) {
    co_return error_response(*e.error);
  }
  auto ps = partitions_of(e.items);
  instance_op op = [ps](consumer_instance& c) { return c.assign(ps); };
  co_return co_await simple(ctx, req, std::move(op));
}

awaitable<http_response> get_assignment(rest_context& ctx, http_request& req) {
  bool found = false;
  auto op = [](consumer_instance& c) { return c.assignment(); };
  auto a = co_await with_instance(ctx, req, op, found);
  if (!found) {
    co_return error_response(not_found());
  }
  if (a.error) {
    co_return error_response(*a.error);
  }
  json_writer w;
  w.begin_object().key("partitions");
  write_partitions(w, a.partitions);
  w.end_object();
  co_return http_response::json(200, w.take(), v2_content_type);
}

awaitable<http_response> seek(rest_context& ctx, http_request& req) {
  auto e = read_entries(req, "offsets", true, false);
  if (e.error) {
    co_return error_response(*e.error);
  }
  instance_op op = [items = e.items](consumer_instance& c) { return c.seek(items); };
  co_return co_await simple(ctx, req, std::move(op));
}

awaitable<http_response> seek_edge(rest_context& ctx, http_request& req, bool beginning) {
  auto e = read_entries(req, "partitions", false, false);
  if (e.error) {
    co_return error_response(*e.error);
  }
  auto ps = partitions_of(e.items);
  instance_op op = [ps, beginning](consumer_instance& c) {
    return beginning ? c.seek_to_beginning(ps) : c.seek_to_end(ps);
  };
  co_return co_await simple(ctx, req, std::move(op));
}

awaitable<http_response> records(rest_context& ctx, http_request& req) {
  auto inst = ctx.consumers.find(req.param("group"), req.param("instance"), req.principal);
  if (!inst) {
    co_return error_response(not_found());
  }
  auto own = inst->format() == "json" ? embedded_format::json : embedded_format::binary;
  auto format = accepted_format(req.header("Accept"), own);
  if (!format || *format != own) {
    co_return error_response(error_codes::consumer_format_mismatch,
                             "The requested embedded data format does not match the "
                             "deserializer for this consumer instance");
  }
  auto number = [&](const char* name) -> std::optional<int64_t> {
    auto it = req.query.find(name);
    if (it == req.query.end()) {
      return std::nullopt;
    }
    int64_t v = 0;
    auto [end, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
    if (ec != std::errc{} || end != it->second.data() + it->second.size() || v < 0) {
      return -1;
    }
    return v;
  };
  auto timeout = number("timeout");
  auto max_bytes = number("max_bytes");
  if ((timeout && *timeout < 0) || (max_bytes && *max_bytes < 1)) {
    co_return error_response(error_codes::bad_request,
                             "timeout and max_bytes must be non-negative integers");
  }
  std::optional<std::chrono::milliseconds> wait;
  if (timeout) {
    wait = std::chrono::milliseconds(std::min<int64_t>(*timeout, 300000));
  }
  size_t limit = max_bytes ? static_cast<size_t>(*max_bytes) : consumer_instance::default_max_bytes;
  auto poll = inst->poll(wait, limit);
  auto got = co_await std::move(poll);
  if (got.error) {
    co_return error_response(*got.error);
  }
  json_writer w;
  w.begin_array();
  for (const auto& r : got.records) {
    write_record(w, {r.topic, r.partition, r.offset, r.timestamp_ms, &r.key, &r.value, &r.headers},
                 *format);
  }
  w.end_array();
  co_return http_response::json(200, w.take(),
                                *format == embedded_format::json
                                    ? "application/vnd.kafka.json.v2+json"
                                    : "application/vnd.kafka.binary.v2+json");
}

awaitable<http_response> commit(rest_context& ctx, http_request& req) {
  auto e = read_entries(req, "offsets", true, true);
  if (e.error) {
    co_return error_response(*e.error);
  }
  std::optional<std::vector<partition_offset>> offsets;
  if (e.present) {
    offsets = std::move(e.items);
  }
  bool found = false;
  auto op = [offsets](consumer_instance& c) { return c.commit(offsets); };
  auto err = co_await with_instance(ctx, req, op, found);
  if (!found) {
    co_return error_response(not_found());
  }
  co_return answer(err, 200);
}

awaitable<http_response> committed(rest_context& ctx, http_request& req) {
  auto e = read_entries(req, "partitions", false, false);
  if (e.error) {
    co_return error_response(*e.error);
  }
  auto ps = partitions_of(e.items);
  bool found = false;
  auto op = [ps](consumer_instance& c) { return c.committed(ps); };
  auto a = co_await with_instance(ctx, req, op, found);
  if (!found) {
    co_return error_response(not_found());
  }
  if (a.error) {
    co_return error_response(*a.error);
  }
  json_writer w;
  w.begin_object().key("offsets").begin_array();
  for (const auto& o : a.offsets) {
    w.begin_object().key("topic").value(o.topic).key("partition").value(o.partition);
    w.key("offset").value(o.offset).key("metadata").value(o.metadata).end_object();
  }
  w.end_array().end_object();
  co_return http_response::json(200, w.take(), v2_content_type);
}

}  // namespace

void add_v2_consumer_routes(router& r, rest_context& ctx) {
  const std::string base = "/consumers/{group}/instances/{instance}";
  r.add(verb::post, "/consumers/{group}",
        [&ctx](http_request& req) { return create_instance(ctx, req); });
  r.add(verb::delete_, base, [&ctx](http_request& req) -> awaitable<http_response> {
    const auto& group = req.param("group");
    const auto& name = req.param("instance");
    auto inst = ctx.consumers.take(group, name, req.principal);
    if (!inst) {
      co_return error_response(not_found());
    }
    // Answered once the instance has committed (auto commit) and left its group.
    auto close = [inst](std::function<void(bool)> done) {
      inst->close([done = std::move(done)] { done(true); });
    };
    co_await await_callback<bool>(std::move(close));
    co_return answer(std::nullopt);
  });
  r.add(verb::post, base + "/subscription",
        [&ctx](http_request& req) { return subscribe(ctx, req); });
  r.add(verb::get, base + "/subscription",
        [&ctx](http_request& req) { return get_subscription(ctx, req); });
  r.add(verb::delete_, base + "/subscription", [&ctx](http_request& req) {
    return simple(ctx, req, [](consumer_instance& c) { return c.unsubscribe(); });
  });
  r.add(verb::post, base + "/assignments", [&ctx](http_request& req) { return assign(ctx, req); });
  r.add(verb::get, base + "/assignments",
        [&ctx](http_request& req) { return get_assignment(ctx, req); });
  r.add(verb::post, base + "/positions", [&ctx](http_request& req) { return seek(ctx, req); });
  r.add(verb::post, base + "/positions/beginning",
        [&ctx](http_request& req) { return seek_edge(ctx, req, true); });
  r.add(verb::post, base + "/positions/end",
        [&ctx](http_request& req) { return seek_edge(ctx, req, false); });
  // A long poll: it waits up to the request's timeout for records.
  r.add_waiting(verb::get, base + "/records",
                [&ctx](http_request& req) { return records(ctx, req); });
  r.add(verb::post, base + "/offsets", [&ctx](http_request& req) { return commit(ctx, req); });
  r.add(verb::get, base + "/offsets", [&ctx](http_request& req) { return committed(ctx, req); });
}

}  // namespace brook::http::rest
