// s3_client: the few S3 REST calls the S3 sink makes (HeadBucket, PutObject, and the
// multipart upload above a part size), signed with AWS Signature V4, over libcurl
// (net/http_fetch). Any S3-compatible store: AWS (virtual-host style by default), or a
// custom endpoint (MinIO, Ceph, R2, s3rver; path style by default). Calls block: the
// sink's worker thread makes them.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "connect/sink.h"
#include "net/http_fetch.h"
#include "security/aws_sigv4.h"

namespace brook::connect {

struct s3_settings {
  std::string endpoint;  // scheme://host[:port]; empty: https://s3.<region>.amazonaws.com
  std::string region = "us-east-1";
  std::string bucket;
  bool path_style = false;  // https://host/bucket/key rather than https://bucket.host/key
  security::aws_credentials credentials;
  std::chrono::milliseconds timeout{60000};
  size_t part_size = size_t{25} << 20;  // objects above it go up in parts of this size
};

class s3_client {
 public:
  explicit s3_client(s3_settings settings);

  // Whether the bucket is there and the credentials may use it.
  sink_result<void> check_bucket();
  // Writes (or replaces) the object `key`.
  sink_result<void> put_object(const std::string& key, std::string_view body,
                               std::string_view content_type);

  const s3_settings& settings() const { return _settings; }

 private:
  struct call {
    std::string method;
    std::string key;  // empty: the bucket
    std::vector<security::http_header> query;
    std::string_view body;
    std::vector<security::http_header> headers;
  };
  expected<net::fetch_reply, std::string> send(const call& c) const;
  sink_result<void> put_multipart(const std::string& key, std::string_view body,
                                  std::string_view content_type);
  // "NoSuchBucket: The specified bucket does not exist" from an S3 error body.
  static std::string error_of(const net::fetch_reply& r);

  s3_settings _settings;
  std::string _scheme;  // "https://"
  std::string _host;    // host[:port] of the endpoint
};

}  // namespace brook::connect
