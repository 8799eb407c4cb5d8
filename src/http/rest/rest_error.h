// rest_error: an error answer of the REST Proxy, in Confluent's shape:
//   HTTP <status>   {"error_code": <code>, "message": "<message>"}
// `code` is Confluent's error code (the HTTP status times 100 plus a subcode, or the bare
// HTTP status for generic errors). The codes Brook uses are the constants below; the
// table of which input gets which is in doc/http-api.md.
#pragma once

#include <string>

#include "backend/outcome.h"

namespace brook::http::rest {

namespace error_codes {
// Generic HTTP errors carry the status itself.
constexpr int bad_request = 400;  // malformed JSON, bad query parameter
constexpr int not_found = 404;    // no such endpoint
constexpr int method_not_allowed = 405;
constexpr int not_acceptable = 406;          // Accept header we cannot satisfy
constexpr int payload_too_large = 413;       // body above http.max_body_bytes
constexpr int unsupported_media_type = 415;  // Content-Type we do not take
constexpr int unprocessable_entity = 422;    // well-formed JSON of the wrong shape
// Confluent's REST Proxy codes.
constexpr int invalid_consumer_config_constraint = 40001;
constexpr int kafka_bad_request = 40002;  // v3: the Kafka request was refused as invalid
constexpr int unauthorized = 40101;       // no credentials, or wrong ones (http.authentication)
constexpr int forbidden = 40301;  // the ACLs do not allow it (Kafka's *_AUTHORIZATION_FAILED)
constexpr int topic_not_found = 40401;
constexpr int partition_not_found = 40402;
constexpr int consumer_instance_not_found = 40403;
constexpr int leader_not_available = 40404;
constexpr int consumer_format_mismatch = 40601;
constexpr int consumer_already_subscribed = 40901;
constexpr int consumer_already_exists = 40902;
constexpr int illegal_state = 40903;
constexpr int too_many_logins = 42901;   // failed logins over security.failed_login_limit_*
constexpr int record_too_large = 42201;  // a key or value above max.message.bytes
constexpr int invalid_offset_or_partition = 42202;
constexpr int invalid_embedded_data = 42203;  // bad base64, a binary key that is not a string
constexpr int invalid_consumer_config = 42204;
constexpr int kafka_error = 50002;
constexpr int kafka_retriable_error = 50003;
constexpr int unavailable = 50302;  // shutting down, or the backend cannot be reached
}  // namespace error_codes

struct rest_error {
  int status = 500;  // HTTP status
  int code = error_codes::kafka_error;
  std::string message;

  // The status follows from the code: 40401 -> 404; a bare status is its own.
  static rest_error make(int code, std::string message) {
    return {code >= 1000 ? code / 100 : code, code, std::move(message)};
  }
};

// The one place Kafka errors from the backend become REST errors (see rest_error.cc).
rest_error from_backend(const backend::backend_error& e);

}  // namespace brook::http::rest
