#include "connect/s3_client.h"

#include <fmt/format.h>

#include "base/clock.h"
#include "base/uri_encoding.h"

namespace brook::connect {

namespace {

// The text of <tag>...</tag> in an XML answer ("" when absent).
std::string xml_text(std::string_view xml, std::string_view tag) {
  const std::string open = fmt::format("<{}>", tag);
  const std::string close = fmt::format("</{}>", tag);
  auto start = xml.find(open);
  if (start == std::string_view::npos) {
    return {};
  }
  start += open.size();
  auto end = xml.find(close, start);
  return end == std::string_view::npos ? std::string()
                                       : std::string(xml.substr(start, end - start));
}

sink_error failure(std::string what) {
  return sink_error{std::move(what)};
}

}  // namespace

s3_client::s3_client(s3_settings settings) : _settings(std::move(settings)) {
  std::string endpoint = _settings.endpoint.empty()
                             ? fmt::format("https://s3.{}.amazonaws.com", _settings.region)
                             : _settings.endpoint;
  while (endpoint.ends_with('/')) {
    endpoint.pop_back();
  }
  auto scheme_end = endpoint.find("://");
  _scheme = endpoint.substr(0, scheme_end + 3);
  _host = endpoint.substr(scheme_end + 3);
}

std::string s3_client::error_of(const net::fetch_reply& r) {
  auto code = xml_text(r.body, "Code");
  auto message = xml_text(r.body, "Message");
  if (code.empty()) {
    return fmt::format("HTTP {}", r.status);
  }
  return fmt::format("{}{}{} (HTTP {})", code, message.empty() ? "" : ": ", message, r.status);
}

expected<net::fetch_reply, std::string> s3_client::send(const call& c) const {
  security::aws_request r;
  r.method = c.method;
  r.host = _settings.path_style ? _host : _settings.bucket + "." + _host;
  r.path = _settings.path_style ? "/" + uri_encode(_settings.bucket) : std::string();
  if (!c.key.empty() || !_settings.path_style) {
    r.path += "/" + uri_encode(c.key, true);
  }
  r.query = c.query;
  r.headers = c.headers;
  r.payload_sha256 = security::aws_payload_hash(c.body);
  net::fetch_request f;
  f.method = c.method;
  f.url = _scheme + r.host + r.path;
  std::string query;
  for (const auto& [k, v] : c.query) {
    query += (query.empty() ? "?" : "&") + uri_encode(k) + "=" + uri_encode(v);
  }
  f.url += query;
  f.body = std::string(c.body);
  for (const auto& [k, v] : c.headers) {
    f.headers.push_back(k + ": " + v);
  }
  const auto signed_headers = security::aws_sigv4_sign(
      r, _settings.credentials, _settings.region, "s3", security::aws_amz_date(wall_clock_ms()));
  for (const auto& [k, v] : signed_headers) {
    f.headers.push_back(k + ": " + v);
  }
  f.headers.emplace_back("Expect:");  // no 100-continue round trip
  net::fetch_options o;
  o.timeout = _settings.timeout;
  o.max_bytes = size_t{1} << 20;  // answers are small XML documents
  return net::http_call(f, o);
}

sink_result<void> s3_client::check_bucket() {
  call c;
  c.method = "HEAD";
  auto r = send(c);
  if (!r) {
    return unexpected(failure(fmt::format("S3 at {}{}: {}", _scheme, _host, r.error())));
  }
  if (r->status == 404) {
    return unexpected(failure(fmt::format("S3 bucket {} does not exist", _settings.bucket)));
  }
  if (r->status == 403) {
    return unexpected(failure(
        fmt::format("S3 bucket {}: access denied (wrong credentials, or no rights to the bucket)",
                    _settings.bucket)));
  }
  if (r->status >= 300) {
    return unexpected(failure(fmt::format("S3 bucket {}: HTTP {}", _settings.bucket, r->status)));
  }
  return {};
}

sink_result<void> s3_client::put_object(const std::string& key, std::string_view body,
                                        std::string_view content_type) {
  if (body.size() > _settings.part_size) {
    return put_multipart(key, body, content_type);
  }
  call c;
  c.method = "PUT";
  c.key = key;
  c.body = body;
  c.headers = {{"Content-Type", std::string(content_type)}};
  auto r = send(c);
  if (!r) {
    return unexpected(failure(fmt::format("S3 PUT {}: {}", key, r.error())));
  }
  if (r->status >= 300) {
    return unexpected(failure(fmt::format("S3 PUT {}: {}", key, error_of(*r))));
  }
  return {};
}

sink_result<void> s3_client::put_multipart(const std::string& key, std::string_view body,
                                           std::string_view content_type) {
  call start;
  start.method = "POST";
  start.key = key;
  start.query = {{"uploads", ""}};
  start.headers = {{"Content-Type", std::string(content_type)}};
  auto begun = send(start);
  if (!begun || begun->status >= 300) {
    return unexpected(failure(fmt::format("S3 multipart upload of {}: {}", key,
                                          begun ? error_of(*begun) : begun.error())));
  }
  const std::string upload_id = xml_text(begun->body, "UploadId");
  if (upload_id.empty()) {
    return unexpected(failure(fmt::format("S3 multipart upload of {}: no UploadId", key)));
  }
  auto abort = [&] {
    call a;
    a.method = "DELETE";
    a.key = key;
    a.query = {{"uploadId", upload_id}};
    (void)send(a);
  };
  std::string complete = "<CompleteMultipartUpload>";
  int part = 1;
  for (size_t at = 0; at < body.size(); at += _settings.part_size, ++part) {
    call p;
    p.method = "PUT";
    p.key = key;
    p.query = {{"partNumber", std::to_string(part)}, {"uploadId", upload_id}};
    p.body = body.substr(at, _settings.part_size);
    auto sent = send(p);
    if (!sent || sent->status >= 300) {
      abort();
      return unexpected(failure(fmt::format("S3 upload of part {} of {}: {}", part, key,
                                            sent ? error_of(*sent) : sent.error())));
    }
    complete += fmt::format("<Part><PartNumber>{}</PartNumber><ETag>{}</ETag></Part>", part,
                            sent->header("etag"));
  }
  complete += "</CompleteMultipartUpload>";
  call done;
  done.method = "POST";
  done.key = key;
  done.query = {{"uploadId", upload_id}};
  done.body = complete;
  done.headers = {{"Content-Type", "application/xml"}};
  auto finished = send(done);
  // S3 may answer 200 with an <Error> in the body.
  if (!finished || finished->status >= 300 || !xml_text(finished->body, "Code").empty()) {
    abort();
    return unexpected(failure(fmt::format("S3 completing the upload of {}: {}", key,
                                          finished ? error_of(*finished) : finished.error())));
  }
  return {};
}

}  // namespace brook::connect
