// v2 produce: POST /topics/{topic} and POST /topics/{topic}/partitions/{partition} with
//   {"records":[{"key": K, "value": V, "partition": P}, ...]}
// in the json format (K and V any JSON, stored as their exact text) or the binary format
// (K and V base64 strings), answered with
//   {"offsets":[{"partition","offset","error_code","error"}],"key_schema_id":null,...}
// once every record is acknowledged. Errors of the request as a whole (bad JSON, a bad
// content type, a missing topic or partition, bad base64) come back in Confluent's error
// shape and produce nothing; per-record failures are in that record's offsets entry.
#include <algorithm>
#include <charconv>

#include "base/base64.h"
#include "http/await.h"
#include "http/rest/json_input.h"
#include "http/rest/rest_api.h"
#include "http/rest/rest_response.h"
#include "protocol/topic_name.h"

namespace brook::http::rest {

namespace {

using boost::asio::awaitable;
using boost::beast::http::verb;

struct parsed_records {
  std::vector<backend::produce_record> records;
  std::optional<rest_error> error;
};

rest_error shape_error(std::string message) {
  return rest_error::make(error_codes::unprocessable_entity, std::move(message));
}

// One key or value of a record: JSON text for the json format, base64-decoded bytes for
// binary; nullopt for null.
std::optional<rest_error> read_data(simdjson::ondemand::value v, embedded_format format,
                                    const char* what, size_t index,
                                    std::optional<std::string>& out) {
  bool is_null = false;
  if (v.is_null().get(is_null) == simdjson::SUCCESS && is_null) {
    out.reset();
    return std::nullopt;
  }
  if (format == embedded_format::binary) {
    std::string_view s;
    if (v.get_string().get(s)) {
      return rest_error::make(error_codes::invalid_embedded_data,
                              std::string("the ") + what + " of record " + std::to_string(index) +
                                  " is not a base64 string (binary format)");
    }
    auto bytes = base64_decode(s);
    if (!bytes) {
      return rest_error::make(error_codes::invalid_embedded_data,
                              std::string("the ") + what + " of record " + std::to_string(index) +
                                  " is not valid base64");
    }
    out = std::move(*bytes);
    return std::nullopt;
  }
  // The whole body was validated first: the value's text is valid JSON.
  std::string_view raw;
  if (raw_text(v, raw)) {
    return rest_error::make(error_codes::bad_request, std::string("malformed JSON in the ") + what +
                                                          " of record " + std::to_string(index));
  }
  out = std::string(raw);
  return std::nullopt;
}

parsed_records parse_body(std::string& body, embedded_format format) {
  parsed_records out;
  thread_local simdjson::ondemand::parser parser;
  if (trim_json(body).empty()) {
    out.error = shape_error("the request body is empty: expected {\"records\": [...]}");
    return out;
  }
  // On-Demand checks only what it reads: the whole body is validated first.
  if (!is_valid_json(body)) {
    out.error = rest_error::make(error_codes::bad_request, "malformed JSON");
    return out;
  }
  simdjson::ondemand::document doc;
  if (parser.iterate(padded(body)).get(doc)) {
    out.error = rest_error::make(error_codes::bad_request, "malformed JSON");
    return out;
  }
  simdjson::ondemand::object obj;
  if (auto e = doc.get_object().get(obj); e) {
    out.error = e == simdjson::INCORRECT_TYPE
                    ? shape_error("expected a JSON object with \"records\"")
                    : rest_error::make(error_codes::bad_request, "malformed JSON");
    return out;
  }
  bool seen_records = false;
  for (auto field : obj) {
    std::string_view key;
    if (field.unescaped_key().get(key)) {
      out.error = rest_error::make(error_codes::bad_request, "malformed JSON");
      return out;
    }
    if (key != "records") {
      continue;  // key_schema, value_schema_id...: not used by json and binary
    }
    seen_records = true;
    simdjson::ondemand::array arr;
    if (field.value().get_array().get(arr)) {
      out.error = shape_error("\"records\" must be an array");
      return out;
    }
    for (auto item : arr) {
      size_t index = out.records.size();
      simdjson::ondemand::object rec;
      if (item.get_object().get(rec)) {
        out.error = shape_error("record " + std::to_string(index) + " is not an object");
        return out;
      }
      backend::produce_record r;
      for (auto f : rec) {
        std::string_view name;
        if (f.unescaped_key().get(name)) {
          out.error = rest_error::make(error_codes::bad_request, "malformed JSON");
          return out;
        }
        simdjson::ondemand::value v;
        if (f.value().get(v)) {
          out.error = rest_error::make(error_codes::bad_request, "malformed JSON");
          return out;
        }
        if (name == "key") {
          if (auto e = read_data(v, format, "key", index, r.key)) {
            out.error = std::move(e);
            return out;
          }
        } else if (name == "value") {
          if (auto e = read_data(v, format, "value", index, r.value)) {
            out.error = std::move(e);
            return out;
          }
        } else if (name == "partition") {
          bool is_null = false;
          if (v.is_null().get(is_null) == simdjson::SUCCESS && is_null) {
            continue;
          }
          int64_t p = 0;
          if (v.get_int64().get(p) || p < 0 || p > INT32_MAX) {
            out.error = rest_error::make(
                error_codes::invalid_offset_or_partition,
                "the partition of record " + std::to_string(index) + " is not a partition number");
            return out;
          }
          r.partition = static_cast<int32_t>(p);
        }
      }
      out.records.push_back(std::move(r));
    }
  }
  if (!seen_records) {
    out.error = shape_error("the body has no \"records\" array");
  } else if (out.records.empty()) {
    out.error = shape_error("\"records\" is empty");
  }
  return out;
}

std::optional<int32_t> parse_partition(std::string_view text) {
  int32_t p = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), p);
  if (ec != std::errc{} || end != text.data() + text.size() || p < 0) {
    return std::nullopt;
  }
  return p;
}

awaitable<http_response> produce(rest_context& ctx, http_request& req, bool per_partition) {
  request_backend view(ctx, req);
  auto format = parse_v2_media_type(req.media_type());
  if (!format) {
    co_return error_response(error_codes::unsupported_media_type,
                             "HTTP 415 Unsupported Media Type: use "
                             "application/vnd.kafka.json.v2+json or "
                             "application/vnd.kafka.binary.v2+json");
  }
  if (*format == embedded_format::avro || *format == embedded_format::jsonschema ||
      *format == embedded_format::protobuf) {
    co_return error_response(
        error_codes::unsupported_media_type,
        "the " + std::string(format_name(*format)) +
            " format needs a schema registry, which Brook does not have: use json or binary");
  }
  if (*format == embedded_format::none) {
    *format = embedded_format::json;  // plain application/json carries JSON values
  }
  const std::string& topic = req.param("topic");
  // A name no topic can have is refused whole, as a missing topic is (no per-record errors).
  if (auto valid = protocol::validate_topic_name(topic); !valid) {
    co_return error_response(error_codes::topic_not_found,
                             "Topic not found: " + valid.error().message);
  }
  std::optional<int32_t> url_partition;
  if (per_partition) {
    url_partition = parse_partition(req.param("partition"));
    if (!url_partition) {
      co_return error_response(error_codes::partition_not_found, "Partition not found.");
    }
  }
  auto parsed = parse_body(req.body, *format);
  if (parsed.error) {
    co_return error_response(*parsed.error);
  }
  bool explicit_partitions = per_partition;
  for (auto& r : parsed.records) {
    if (url_partition) {
      r.partition = url_partition;
    }
    explicit_partitions = explicit_partitions || r.partition.has_value();
  }
  if (explicit_partitions) {
    // Named partitions must exist (the topic too: no auto-creation by partition).
    auto t = co_await view.calls.describe_topic(topic);
    if (!t) {
      co_return error_response(from_backend(t.error()));
    }
    for (const auto& r : parsed.records) {
      if (r.partition && *r.partition >= static_cast<int32_t>(t->partitions.size())) {
        co_return error_response(error_codes::partition_not_found, "Partition not found.");
      }
    }
  }
  auto results = co_await await_callback<std::vector<backend::produce_result>>(
      [&](auto done) { view.backend.produce(topic, std::move(parsed.records), std::move(done)); });
  // A refusal of the whole topic answers the request, not each record.
  auto all_failed_with = [&results](protocol::kafka_error code) {
    return !results.empty() && std::all_of(results.begin(), results.end(), [code](const auto& r) {
      return r.error && r.error->code == code;
    });
  };
  if (all_failed_with(protocol::kafka_error::unknown_topic_or_partition)) {
    co_return error_response(error_codes::topic_not_found, "Topic not found.");
  }
  if (all_failed_with(protocol::kafka_error::topic_authorization_failed)) {
    co_return error_response(from_backend(*results.front().error));
  }
  json_writer w;
  w.begin_object().key("offsets").begin_array();
  for (const auto& r : results) {
    w.begin_object();
    if (r.error) {
      auto e = from_backend(*r.error);
      w.key("partition").value(r.partition >= 0 ? static_cast<int64_t>(r.partition) : -1);
      w.key("offset").value(int64_t{-1});
      w.key("error_code").value(static_cast<int64_t>(e.code));
      w.key("error").value(e.message);
    } else {
      w.key("partition").value(r.partition).key("offset").value(r.offset);
      w.key("error_code").null().key("error").null();
    }
    w.end_object();
  }
  w.end_array().key("key_schema_id").null().key("value_schema_id").null().end_object();
  co_return http_response::json(200, w.take(), v2_content_type);
}

}  // namespace

void add_v2_produce_routes(router& r, rest_context& ctx) {
  r.add(verb::post, "/topics/{topic}",
        [&ctx](http_request& req) { return produce(ctx, req, false); });
  r.add(verb::post, "/topics/{topic}/partitions/{partition}",
        [&ctx](http_request& req) { return produce(ctx, req, true); });
}

}  // namespace brook::http::rest
