#include "http/rest/record_json.h"

#include <simdjson.h>

#include "base/base64.h"

namespace brook::http::rest {

namespace {

void write_data(json_writer& w, const std::optional<std::string>* data, embedded_format format) {
  if (data == nullptr || !data->has_value()) {
    w.null();
    return;
  }
  const std::string& bytes = **data;
  if (format == embedded_format::binary) {
    w.value(base64_encode(bytes));
  } else if (is_valid_json(bytes)) {
    w.raw(trim_json(bytes));
  } else {
    w.value(bytes);  // not JSON (written by a Kafka client): its bytes as a string
  }
}

// `bytes` as JSON, text or base64 under `name`, its format under `name`_format.
void write_displayed(json_writer& w, std::string_view name, const std::string* bytes) {
  w.key(name);
  const char* format = "null";
  if (bytes == nullptr) {
    w.null();
  } else if (is_valid_json(*bytes)) {
    w.raw(trim_json(*bytes));
    format = "json";
  } else if (simdjson::validate_utf8(bytes->data(), bytes->size())) {
    w.value(*bytes);
    format = "text";
  } else {
    w.value(base64_encode(*bytes));
    format = "base64";
  }
  w.key(std::string(name) + "_format").value(format);
}

}  // namespace

void write_display_record(json_writer& w, int32_t partition, int64_t offset, int64_t timestamp_ms,
                          const std::optional<std::string>& key,
                          const std::optional<std::string>& value,
                          const std::vector<protocol::record_header>& headers) {
  w.begin_object();
  w.key("partition").value(partition).key("offset").value(offset);
  w.key("timestamp").value(timestamp_ms);
  write_displayed(w, "key", key ? &*key : nullptr);
  write_displayed(w, "value", value ? &*value : nullptr);
  w.key("headers").begin_array();
  for (const auto& h : headers) {
    w.begin_object().key("key").value(h.key);
    write_displayed(w, "value", h.null_value ? nullptr : &h.value);
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

void write_record(json_writer& w, const record_view& r, embedded_format format) {
  w.begin_object();
  w.key("topic").value(r.topic);
  w.key("key");
  write_data(w, r.key, format);
  w.key("value");
  write_data(w, r.value, format);
  w.key("partition").value(r.partition);
  w.key("offset").value(r.offset);
  w.key("timestamp").value(r.timestamp_ms);
  w.key("headers").begin_array();
  if (r.headers) {
    for (const auto& h : *r.headers) {
      w.begin_object().key("key").value(h.key).key("value");
      if (h.null_value) {
        w.null();
      } else {
        w.value(base64_encode(h.value));
      }
      w.end_object();
    }
  }
  w.end_array();
  w.end_object();
}

size_t record_size(const record_view& r) {
  size_t n = 0;
  if (r.key && r.key->has_value()) {
    n += (*r.key)->size();
  }
  if (r.value && r.value->has_value()) {
    n += (*r.value)->size();
  }
  if (r.headers) {
    for (const auto& h : *r.headers) {
      n += h.key.size() + h.value.size();
    }
  }
  return n;
}

std::optional<embedded_format> accepted_format(std::string_view accept, embedded_format fallback) {
  if (accept.empty()) {
    return fallback;
  }
  // A list of media ranges: the first we can serve wins.
  std::optional<embedded_format> out;
  size_t i = 0;
  while (i <= accept.size()) {
    auto comma = accept.find(',', i);
    auto item =
        accept.substr(i, comma == std::string_view::npos ? std::string_view::npos : comma - i);
    auto semi = item.find(';');
    item = trim_json(item.substr(0, semi));
    if (item == "*/*" || item == "application/*") {
      return fallback;
    }
    if (auto f = parse_v2_media_type(item)) {
      if (*f == embedded_format::none) {
        return fallback;
      }
      if (*f == embedded_format::json || *f == embedded_format::binary) {
        return f;
      }
    }
    if (comma == std::string_view::npos) {
      break;
    }
    i = comma + 1;
  }
  return out;
}

}  // namespace brook::http::rest
