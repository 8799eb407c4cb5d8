#include "security/aws_sigv4.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/clock.h"
#include "base/text.h"
#include "base/uri_encoding.h"
#include "security/crypto.h"

namespace brook::security {

namespace {

// A header value as SigV4 canonicalizes it: trimmed, inner runs of spaces as one.
std::string canonical_value(std::string_view v) {
  v = trim(v);
  std::string out;
  bool space = false;
  for (char c : v) {
    if (c == ' ') {
      space = true;
      continue;
    }
    if (space && !out.empty()) {
      out.push_back(' ');
    }
    space = false;
    out.push_back(c);
  }
  return out;
}

std::string canonical_query(const std::vector<http_header>& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [k, v] : query) {
    encoded.emplace_back(uri_encode(k), uri_encode(v));
  }
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [k, v] : encoded) {
    out += (out.empty() ? "" : "&") + k + "=" + v;
  }
  return out;
}

}  // namespace

std::string aws_payload_hash(std::string_view payload) {
  return hex_lower(hash(digest::sha256, payload));
}

std::string aws_amz_date(int64_t ms) {
  // 2013-05-24T00:00:00.000Z -> 20130524T000000Z
  const std::string iso = format_iso8601(ms);
  std::string out;
  for (char c : iso.substr(0, 19)) {
    if (c != '-' && c != ':') {
      out.push_back(c);
    }
  }
  return out + "Z";
}

std::string aws_canonical_request(const aws_request& request,
                                  const std::vector<http_header>& signed_headers) {
  std::string headers;
  std::string names;
  for (const auto& [k, v] : signed_headers) {
    headers += k + ":" + v + "\n";
    names += (names.empty() ? "" : ";") + k;
  }
  return fmt::format("{}\n{}\n{}\n{}\n{}\n{}", request.method,
                     request.path.empty() ? "/" : request.path, canonical_query(request.query),
                     headers, names, request.payload_sha256);
}

std::vector<http_header> aws_sigv4_sign(const aws_request& request,
                                        const aws_credentials& credentials, std::string_view region,
                                        std::string_view service, std::string_view amz_date) {
  std::vector<http_header> added{{"x-amz-date", std::string(amz_date)},
                                 {"x-amz-content-sha256", request.payload_sha256}};
  if (!credentials.session_token.empty()) {
    added.emplace_back("x-amz-security-token", credentials.session_token);
  }
  std::vector<http_header> to_sign{{"host", canonical_value(request.host)}};
  for (const auto& [k, v] : request.headers) {
    to_sign.emplace_back(lower(k), canonical_value(v));
  }
  for (const auto& [k, v] : added) {
    to_sign.emplace_back(k, v);
  }
  std::sort(to_sign.begin(), to_sign.end());
  const std::string canonical = aws_canonical_request(request, to_sign);
  const std::string date(amz_date.substr(0, 8));
  const std::string scope = fmt::format("{}/{}/{}/aws4_request", date, region, service);
  const std::string string_to_sign =
      fmt::format("AWS4-HMAC-SHA256\n{}\n{}\n{}", amz_date, scope, aws_payload_hash(canonical));
  std::string key = hmac(digest::sha256, "AWS4" + credentials.secret_access_key, date);
  key = hmac(digest::sha256, key, region);
  key = hmac(digest::sha256, key, service);
  key = hmac(digest::sha256, key, "aws4_request");
  const std::string signature = hex_lower(hmac(digest::sha256, key, string_to_sign));
  std::string names;
  for (const auto& [k, v] : to_sign) {
    names += (names.empty() ? "" : ";") + k;
  }
  added.emplace_back(
      "Authorization",
      fmt::format("AWS4-HMAC-SHA256 Credential={}/{}, SignedHeaders={}, Signature={}",
                  credentials.access_key_id, scope, names, signature));
  return added;
}

}  // namespace brook::security
