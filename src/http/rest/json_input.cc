#include "http/rest/json_input.h"

namespace brook::http::rest {

simdjson::padded_string_view padded(std::string& body) {
  size_t size = body.size();
  if (body.capacity() < size + simdjson::SIMDJSON_PADDING) {
    body.reserve(size + simdjson::SIMDJSON_PADDING);
  }
  return simdjson::padded_string_view(body.data(), size, body.capacity());
}

bool is_valid_json(std::string_view text) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element e;
  return !parser.parse(text.data(), text.size(), true).get(e);
}

simdjson::error_code raw_text(simdjson::ondemand::value v, std::string_view& out) {
  simdjson::ondemand::json_type type;
  if (auto e = v.type().get(type)) {
    return e;
  }
  simdjson::error_code e;
  if (type == simdjson::ondemand::json_type::object) {
    simdjson::ondemand::object o;
    e = v.get_object().get(o);
    if (!e) {
      e = o.raw_json().get(out);
    }
  } else if (type == simdjson::ondemand::json_type::array) {
    simdjson::ondemand::array a;
    e = v.get_array().get(a);
    if (!e) {
      e = a.raw_json().get(out);
    }
  } else {
    out = v.raw_json_token();
    e = simdjson::SUCCESS;
  }
  if (!e) {
    out = trim_json(out);
  }
  return e;
}

std::string_view trim_json(std::string_view text) {
  auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!text.empty() && ws(text.front())) {
    text.remove_prefix(1);
  }
  while (!text.empty() && ws(text.back())) {
    text.remove_suffix(1);
  }
  return text;
}

std::optional<embedded_format> parse_v2_media_type(std::string_view media) {
  if (media == "application/json" || media == "application/vnd.kafka.v2+json" ||
      media == "application/vnd.kafka+json" || media == "application/octet-stream") {
    return embedded_format::none;
  }
  constexpr std::string_view prefix = "application/vnd.kafka.";
  constexpr std::string_view suffix = ".v2+json";
  if (media.size() <= prefix.size() + suffix.size() || !media.starts_with(prefix) ||
      !media.ends_with(suffix)) {
    return std::nullopt;
  }
  auto name = media.substr(prefix.size(), media.size() - prefix.size() - suffix.size());
  if (name == "binary") {
    return embedded_format::binary;
  }
  if (name == "json") {
    return embedded_format::json;
  }
  if (name == "avro") {
    return embedded_format::avro;
  }
  if (name == "jsonschema") {
    return embedded_format::jsonschema;
  }
  if (name == "protobuf") {
    return embedded_format::protobuf;
  }
  return std::nullopt;
}

std::string_view format_name(embedded_format f) {
  switch (f) {
    case embedded_format::none:
      return "none";
    case embedded_format::binary:
      return "binary";
    case embedded_format::json:
      return "json";
    case embedded_format::avro:
      return "avro";
    case embedded_format::jsonschema:
      return "jsonschema";
    case embedded_format::protobuf:
      return "protobuf";
  }
  return "none";
}

}  // namespace brook::http::rest
