// v3 produce: POST /v3/clusters/{cluster_id}/topics/{topic_name}/records with one
//   {"partition_id", "headers": [{"name", "value": base64}], "key": {"type", "data"},
//    "value": {"type", "data"}, "timestamp"}
// answered with one ProduceResponse, or, in the streaming mode (a chunked body of many
// such objects), with a chunked answer of one result per record, in order, each written as
// soon as that record and all before it are acknowledged. Types: BINARY (base64 data),
// JSON (any JSON, stored as its text; the default), STRING (the string's characters).
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>
#include <deque>

#include "base/base64.h"
#include "base/clock.h"
#include "http/await.h"
#include "http/rest/json_input.h"
#include "http/rest/json_object_splitter.h"
#include "http/rest/rest_api.h"
#include "http/rest/rest_response.h"

namespace brook::http::rest {

namespace {

using boost::asio::awaitable;
using boost::beast::http::verb;
using namespace boost::asio::experimental::awaitable_operators;

struct parsed_record {
  backend::produce_record record;
  std::string key_type;
  std::string value_type;
};

std::optional<rest_error> read_data(simdjson::ondemand::value v, const char* what,
                                    std::optional<std::string>& out, std::string& type) {
  bool is_null = false;
  if (v.is_null().get(is_null) == simdjson::SUCCESS && is_null) {
    return std::nullopt;
  }
  simdjson::ondemand::object o;
  if (v.get_object().get(o)) {
    return rest_error::make(error_codes::bad_request,
                            std::string(what) + " must be an object {\"type\", \"data\"}");
  }
  type = "JSON";
  bool has_data = false;
  for (auto f : o) {
    std::string_view k;
    if (f.unescaped_key().get(k)) {
      return rest_error::make(error_codes::bad_request, "malformed JSON");
    }
    if (k == "type") {
      std::string_view t;
      if (f.value().get_string().get(t) || (t != "BINARY" && t != "JSON" && t != "STRING")) {
        return rest_error::make(error_codes::bad_request,
                                std::string(what) + ".type must be BINARY, JSON or STRING");
      }
      type = std::string(t);
    } else if (k == "data") {
      has_data = true;
      std::string_view raw;
      simdjson::ondemand::value dv;
      if (f.value().get(dv) || raw_text(dv, raw)) {
        return rest_error::make(error_codes::bad_request, "malformed JSON");
      }
      out = std::string(raw);
    }
  }
  if (!has_data) {
    out.reset();
    return std::nullopt;
  }
  if (*out == "null") {
    out.reset();
    return std::nullopt;
  }
  if (type == "JSON") {
    return std::nullopt;  // the text as it was sent
  }
  // BINARY and STRING carry a JSON string.
  thread_local simdjson::dom::parser p;
  std::string_view s;
  if (p.parse(*out).get_string().get(s)) {
    return rest_error::make(error_codes::invalid_embedded_data,
                            std::string(what) + ".data must be a string for " + type);
  }
  if (type == "BINARY") {
    auto bytes = base64_decode(s);
    if (!bytes) {
      return rest_error::make(error_codes::invalid_embedded_data,
                              std::string(what) + ".data is not valid base64");
    }
    out = std::move(*bytes);
  } else {
    out = std::string(s);
  }
  return std::nullopt;
}

// Parses one produce request object; the error when it is not a valid one.
std::optional<rest_error> parse_record(std::string text, parsed_record& out) {
  if (!is_valid_json(text)) {
    return rest_error::make(error_codes::bad_request, "malformed JSON");
  }
  thread_local simdjson::ondemand::parser parser;
  simdjson::ondemand::document doc;
  simdjson::ondemand::object obj;
  if (parser.iterate(padded(text)).get(doc) || doc.get_object().get(obj)) {
    return rest_error::make(error_codes::bad_request, "expected a JSON object");
  }
  for (auto field : obj) {
    std::string_view key;
    if (field.unescaped_key().get(key)) {
      return rest_error::make(error_codes::bad_request, "malformed JSON");
    }
    simdjson::ondemand::value v;
    if (field.value().get(v)) {
      return rest_error::make(error_codes::bad_request, "malformed JSON");
    }
    bool is_null = false;
    if (v.is_null().get(is_null) == simdjson::SUCCESS && is_null) {
      continue;
    }
    if (key == "partition_id") {
      int64_t p = 0;
      if (v.get_int64().get(p) || p < 0 || p > INT32_MAX) {
        return rest_error::make(error_codes::bad_request, "partition_id must be a partition");
      }
      out.record.partition = static_cast<int32_t>(p);
    } else if (key == "timestamp") {
      std::string_view s;
      int64_t ms = 0;
      if (v.get_string().get(s) == simdjson::SUCCESS) {
        auto t = parse_iso8601(s);
        if (!t) {
          return rest_error::make(error_codes::bad_request,
                                  "timestamp must be an ISO 8601 date-time");
        }
        out.record.timestamp_ms = *t;
      } else if (v.get_int64().get(ms) == simdjson::SUCCESS && ms >= 0) {
        out.record.timestamp_ms = ms;
      } else {
        return rest_error::make(error_codes::bad_request,
                                "timestamp must be an ISO 8601 date-time");
      }
    } else if (key == "key") {
      if (auto e = read_data(v, "key", out.record.key, out.key_type)) {
        return e;
      }
    } else if (key == "value") {
      if (auto e = read_data(v, "value", out.record.value, out.value_type)) {
        return e;
      }
    } else if (key == "headers") {
      simdjson::ondemand::array arr;
      if (v.get_array().get(arr)) {
        return rest_error::make(error_codes::bad_request, "headers must be an array");
      }
      for (auto item : arr) {
        simdjson::ondemand::object h;
        if (item.get_object().get(h)) {
          return rest_error::make(error_codes::bad_request, "each header must be an object");
        }
        protocol::record_header header;
        header.null_value = true;
        for (auto f : h) {
          std::string_view k;
          std::string_view s;
          if (f.unescaped_key().get(k)) {
            return rest_error::make(error_codes::bad_request, "malformed JSON");
          }
          simdjson::ondemand::value hv;
          if (f.value().get(hv)) {
            return rest_error::make(error_codes::bad_request, "malformed JSON");
          }
          bool hnull = false;
          if (hv.is_null().get(hnull) == simdjson::SUCCESS && hnull) {
            continue;
          }
          if (hv.get_string().get(s)) {
            return rest_error::make(error_codes::bad_request,
                                    "header name and value must be strings");
          }
          if (k == "name") {
            header.key = std::string(s);
          } else if (k == "value") {
            auto bytes = base64_decode(s);
            if (!bytes) {
              return rest_error::make(error_codes::invalid_embedded_data,
                                      "a header value is not valid base64");
            }
            header.value = std::move(*bytes);
            header.null_value = false;
          }
        }
        if (header.key.empty()) {
          return rest_error::make(error_codes::bad_request, "each header needs a name");
        }
        out.record.headers.push_back(std::move(header));
      }
    }
  }
  return std::nullopt;
}

std::string error_json(const rest_error& e) {
  json_writer w;
  w.begin_object().key("error_code").value(static_cast<int64_t>(e.code));
  w.key("message").value(e.message).end_object();
  return w.take();
}

struct result_text {
  unsigned status = 200;
  std::string body;
};

result_text result_json(const std::string& cluster, const std::string& topic,
                        const parsed_record& rec, const backend::produce_result& r) {
  if (r.error) {
    auto e = from_backend(*r.error);
    return {static_cast<unsigned>(e.status), error_json(e)};
  }
  json_writer w;
  w.begin_object().key("error_code").value(int64_t{200});
  w.key("cluster_id").value(cluster).key("topic_name").value(topic);
  w.key("partition_id").value(r.partition).key("offset").value(r.offset);
  w.key("timestamp").value(format_iso8601(r.timestamp_ms));
  auto data = [&](const char* name, const std::optional<std::string>& d, const std::string& type) {
    w.key(name);
    if (!d) {
      w.null();
    } else {
      w.begin_object().key("type").value(type.empty() ? "JSON" : type);
      w.key("size").value(static_cast<int64_t>(d->size())).end_object();
    }
  };
  data("key", rec.record.key, rec.key_type);
  data("value", rec.record.value, rec.value_type);
  w.end_object();
  return {200, w.take()};
}

// One record of the stream: parsed, sent, and its answer once acknowledged.
struct slot {
  parsed_record rec;
  bool done = false;
  result_text answer;
};

struct stream_target {
  std::string topic;
  std::string cluster;
  int32_t partitions = 0;
};

rest_error body_error(rest_context& ctx, const http_stream& s) {
  return s.failure() == "body_limit"
             ? rest_error::make(error_codes::payload_too_large,
                                "request body larger than " +
                                    std::to_string(ctx.config.max_body_bytes) + " bytes")
             : rest_error::make(error_codes::bad_request, "cannot read the body: " + s.failure());
}

// The streaming mode: a chunked answer with one result per record, in order. The records
// parsed from each piece of the body go to the backend together; answers are written as
// soon as they are ready, while the body is still arriving.
awaitable<void> stream_records(rest_context& ctx, backend::event_backend& events, http_stream& s,
                               const stream_target& target, std::vector<std::string>& initial,
                               bool body_complete) {
  auto ex = co_await boost::asio::this_coro::executor;
  auto wake = std::make_shared<boost::asio::steady_timer>(ex);
  std::deque<std::shared_ptr<slot>> queue;
  bool reading_done = false;
  if (!co_await s.begin_chunked(200, "application/json")) {
    co_return;
  }

  auto fail_slot = [&](const rest_error& e) {
    auto sl = std::make_shared<slot>();
    sl->done = true;
    sl->answer = {static_cast<unsigned>(e.status), error_json(e)};
    queue.push_back(std::move(sl));
  };
  auto submit = [&](std::vector<std::string>& objects) {
    std::vector<std::shared_ptr<slot>> sent;
    std::vector<backend::produce_record> records;
    for (auto& text : objects) {
      auto sl = std::make_shared<slot>();
      queue.push_back(sl);
      if (auto e = parse_record(std::move(text), sl->rec)) {
        sl->done = true;
        sl->answer = {static_cast<unsigned>(e->status), error_json(*e)};
      } else if (sl->rec.record.partition && *sl->rec.record.partition >= target.partitions) {
        auto pe = rest_error::make(error_codes::partition_not_found, "Partition not found.");
        sl->done = true;
        sl->answer = {404, error_json(pe)};
      } else {
        records.push_back(sl->rec.record);
        sent.push_back(std::move(sl));
      }
    }
    objects.clear();
    if (records.empty()) {
      wake->cancel();
      return;
    }
    events.produce(
        target.topic, std::move(records),
        [ex, wake, sent = std::move(sent), target](std::vector<backend::produce_result> r) {
          boost::asio::post(ex, [wake, sent, target, r = std::move(r)] {
            for (size_t i = 0; i < sent.size() && i < r.size(); ++i) {
              sent[i]->answer = result_json(target.cluster, target.topic, sent[i]->rec, r[i]);
              sent[i]->done = true;
            }
            wake->cancel();
          });
        });
  };

  auto reader = [&]() -> awaitable<void> {
    json_object_splitter splitter(ctx.config.max_body_bytes);
    submit(initial);
    if (!body_complete) {
      while (auto chunk = co_await s.read_some()) {
        std::vector<std::string> objects;
        bool ok = splitter.feed(*chunk, objects);
        submit(objects);
        if (!ok) {
          fail_slot(
              rest_error::make(error_codes::bad_request, "malformed JSON: " + splitter.error()));
          break;
        }
      }
      if (s.failed()) {
        fail_slot(body_error(ctx, s));
      } else if (splitter.error().empty() && !splitter.at_boundary()) {
        fail_slot(rest_error::make(error_codes::bad_request,
                                   "malformed JSON: the body ends inside a record"));
      }
    }
    reading_done = true;
    wake->cancel();
  };
  auto writer = [&]() -> awaitable<void> {
    for (;;) {
      while (!queue.empty() && queue.front()->done) {
        std::string text = std::move(queue.front()->answer.body);
        queue.pop_front();
        text.push_back('\n');
        if (!co_await s.write_chunk(text)) {
          co_return;
        }
      }
      if (reading_done && queue.empty()) {
        break;
      }
      wake->expires_at(boost::asio::steady_timer::time_point::max());
      co_await wake->async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }
    co_await s.end_chunked();
  };
  co_await (reader() && writer());
}

// Callers pass a named error: no class-type temporaries inside co_await expressions (GCC 12).
awaitable<void> write_error(http_stream& s, const rest_error& e) {
  auto body = error_json(e);
  co_await s.write_whole(static_cast<unsigned>(e.status), "application/json", body);
}

awaitable<void> produce_records(rest_context& ctx, http_request& req, http_stream& s) {
  request_backend view(ctx, req);
  auto c = co_await ctx.calls.cluster();
  if (!c) {
    {
      auto err = from_backend(c.error());
      co_return co_await write_error(s, err);
    }
  }
  if (req.param("cluster_id") != c->cluster_id) {
    {
      auto err = rest_error::make(error_codes::not_found,
                                  "Cluster " + req.param("cluster_id") + " cannot be found.");
      co_return co_await write_error(s, err);
    }
  }
  auto media = req.media_type();
  if (!media.empty() && media != "application/json") {
    {
      auto err = rest_error::make(error_codes::unsupported_media_type,
                                  "HTTP 415 Unsupported Media Type: use application/json");
      co_return co_await write_error(s, err);
    }
  }
  stream_target target{req.param("topic_name"), c->cluster_id, 0};
  auto t = co_await view.calls.describe_topic(target.topic);
  if (!t) {
    {
      auto err = from_backend(t.error());
      co_return co_await write_error(s, err);
    }
  }
  target.partitions = static_cast<int32_t>(t->partitions.size());

  if (s.chunked_request()) {
    std::vector<std::string> none;
    co_return co_await stream_records(ctx, view.backend, s, target, none, false);
  }
  // A body with a length: read it whole; one object gets one answer, several a stream of
  // answers.
  json_object_splitter splitter(ctx.config.max_body_bytes);
  std::vector<std::string> objects;
  while (auto chunk = co_await s.read_some()) {
    if (!splitter.feed(*chunk, objects)) {
      break;
    }
  }
  if (s.failed()) {
    {
      auto err = body_error(ctx, s);
      co_return co_await write_error(s, err);
    }
  }
  if (!splitter.error().empty() || !splitter.at_boundary() || objects.empty()) {
    {
      auto err = rest_error::make(
          error_codes::bad_request,
          "malformed JSON: " + (splitter.error().empty() ? std::string("expected a JSON object")
                                                         : splitter.error()));
      co_return co_await write_error(s, err);
    }
  }
  if (objects.size() > 1) {
    co_return co_await stream_records(ctx, view.backend, s, target, objects, true);
  }
  parsed_record rec;
  if (auto e = parse_record(std::move(objects[0]), rec)) {
    co_return co_await write_error(s, *e);
  }
  if (rec.record.partition && *rec.record.partition >= target.partitions) {
    {
      auto err = rest_error::make(error_codes::partition_not_found, "Partition not found.");
      co_return co_await write_error(s, err);
    }
  }
  std::vector<backend::produce_record> one;
  one.push_back(rec.record);
  auto results = co_await await_callback<std::vector<backend::produce_result>>(
      [&](auto done) { view.backend.produce(target.topic, std::move(one), std::move(done)); });
  auto answer = result_json(target.cluster, target.topic, rec, results.at(0));
  co_await s.write_whole(answer.status, "application/json", answer.body);
}

}  // namespace

void add_v3_produce_route(router& r, rest_context& ctx) {
  r.add_streaming(
      verb::post, "/v3/clusters/{cluster_id}/topics/{topic_name}/records",
      [&ctx](http_request& req, http_stream& s) { return produce_records(ctx, req, s); });
}

}  // namespace brook::http::rest
