// Helpers every REST route answers with: Confluent's error shape and the v2 content type.
#pragma once

#include <string>

#include "base/json_writer.h"
#include "http/http_message.h"
#include "http/rest/rest_error.h"

namespace brook::http::rest {

constexpr const char* v2_content_type = "application/vnd.kafka.v2+json";
constexpr const char* v3_content_type = "application/json";

inline http_response error_response(const rest_error& e,
                                    const char* content_type = "application/json") {
  json_writer w;
  w.begin_object().key("error_code").value(static_cast<int64_t>(e.code));
  w.key("message").value(e.message).end_object();
  return http_response::json(static_cast<unsigned>(e.status), w.take(), content_type);
}

inline http_response error_response(int code, std::string message) {
  return error_response(rest_error::make(code, std::move(message)));
}

}  // namespace brook::http::rest
