// aws_sigv4: AWS Signature Version 4 (the request signing of S3 and every AWS-compatible
// object store: MinIO, Ceph, R2, s3rver), as AWS's "Signature Version 4 signing process"
// specifies it: a canonical request, the string to sign over its SHA-256, and an HMAC
// chain from the secret key through the date, region, service and "aws4_request".
//
//   auto headers = aws_sigv4_sign(request, credentials, "us-east-1", "s3", "20130524T000000Z");
//   // -> Authorization, x-amz-date, x-amz-content-sha256 (and x-amz-security-token)
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace brook::security {

struct aws_credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // temporary credentials only
};

using http_header = std::pair<std::string, std::string>;

struct aws_request {
  std::string method;                // "GET", "PUT", ...
  std::string host;                  // the Host header's value (host, or host:port)
  std::string path;                  // as sent: each segment URI-encoded ("/bucket/a%20b.json")
  std::vector<http_header> query;    // decoded names and values
  std::vector<http_header> headers;  // more headers to sign (Range, Content-Type, ...)
  std::string payload_sha256;        // hex SHA-256 of the body, or "UNSIGNED-PAYLOAD"
};

// The headers to add to the request: Authorization, x-amz-date, x-amz-content-sha256 and,
// with a session token, x-amz-security-token. `amz_date` is the time as YYYYMMDDTHHMMSSZ.
std::vector<http_header> aws_sigv4_sign(const aws_request& request,
                                        const aws_credentials& credentials, std::string_view region,
                                        std::string_view service, std::string_view amz_date);

// The steps, for tests and for error messages that show what was signed.
std::string aws_canonical_request(const aws_request& request,
                                  const std::vector<http_header>& signed_headers);
// `ms` since the epoch as YYYYMMDDTHHMMSSZ.
std::string aws_amz_date(int64_t ms);
// The hex SHA-256 of `payload`.
std::string aws_payload_hash(std::string_view payload);

}  // namespace brook::security
