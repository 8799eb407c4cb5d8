// origin_policy: the Host check against DNS rebinding and the CORS answers.
#include "http/origin_policy.h"

#include <unistd.h>

#include <gtest/gtest.h>

#include <array>

namespace brook::http {
namespace {

using boost::beast::http::verb;

http_request request(verb method, std::initializer_list<std::pair<const char*, const char*>> h) {
  http_request r;
  r.method = method;
  for (const auto& [name, value] : h) {
    r.headers.set(name, value);
  }
  return r;
}

std::string header_of(const std::vector<std::pair<std::string, std::string>>& headers,
                      const std::string& name) {
  for (const auto& [n, v] : headers) {
    if (n == name) {
      return v;
    }
  }
  return "<absent>";
}

TEST(OriginPolicy, HostNamesAreReducedToTheName) {
  EXPECT_EQ(host_name_of("Brook.Example:8082"), "brook.example");
  EXPECT_EQ(host_name_of("[::1]:8082"), "::1");
  EXPECT_EQ(host_name_of("localhost."), "localhost");
  EXPECT_EQ(host_name_of("::1"), "::1");
}

TEST(OriginPolicy, AddressesLocalhostAndTheMachinesNameAreAllowedByDefault) {
  origin_policy p{http_config{}};
  for (const char* host : {"127.0.0.1:8082", "127.0.0.1", "[::1]:8082", "10.1.2.3", "localhost",
                           "LOCALHOST:8082", "app.localhost", ""}) {
    EXPECT_TRUE(p.host_allowed(host)) << host;
  }
  std::array<char, 256> name{};
  ASSERT_EQ(::gethostname(name.data(), name.size() - 1), 0);
  EXPECT_TRUE(p.host_allowed(std::string(name.data()) + ":8082"));
  for (const char* host : {"evil.example", "evil.example:8082", "localhost.evil.example",
                           "127.0.0.1.evil.example", "brook.internal"}) {
    EXPECT_FALSE(p.host_allowed(host)) << host;
  }
}

TEST(OriginPolicy, ConfiguredHostsAndTheWildcard) {
  http_config c;
  c.allowed_hosts = {"Brook.Internal", "brook"};
  origin_policy p{c};
  EXPECT_TRUE(p.host_allowed("brook.internal:8082"));
  EXPECT_TRUE(p.host_allowed("brook"));
  EXPECT_FALSE(p.host_allowed("other.internal"));
  c.allowed_hosts = {"*"};
  EXPECT_TRUE(origin_policy{c}.host_allowed("anything.example"));
}

TEST(OriginPolicy, NoCorsUnlessAnOriginIsListed) {
  origin_policy p{http_config{}};
  auto get = request(verb::get, {{"Origin", "https://app.example.com"}});
  EXPECT_TRUE(p.cors_headers(get).empty());
  auto pre = p.preflight(request(verb::options, {{"Origin", "https://app.example.com"},
                                                 {"Access-Control-Request-Method", "POST"}}));
  ASSERT_TRUE(pre.has_value());
  EXPECT_EQ(pre->status, 403u);
  EXPECT_NE(pre->body.find("http.cors_allowed_origins"), std::string::npos);
  // An OPTIONS without the preflight headers is no preflight.
  EXPECT_FALSE(p.preflight(request(verb::options, {})).has_value());
}

TEST(OriginPolicy, AListedOriginGetsItsHeadersAndPreflight) {
  http_config c;
  c.cors_allowed_origins = {"https://app.example.com/"};
  origin_policy p{c};
  auto get = request(verb::get, {{"Origin", "https://APP.example.com"}});
  auto h = p.cors_headers(get);
  EXPECT_EQ(header_of(h, "Access-Control-Allow-Origin"), "https://APP.example.com");
  EXPECT_EQ(header_of(h, "Vary"), "Origin");
  EXPECT_TRUE(p.cors_headers(request(verb::get, {{"Origin", "https://evil.example"}})).empty());
  auto pre =
      p.preflight(request(verb::options, {{"Origin", "https://app.example.com"},
                                          {"Access-Control-Request-Method", "POST"},
                                          {"Access-Control-Request-Headers", "content-type"}}));
  ASSERT_TRUE(pre.has_value());
  EXPECT_EQ(pre->status, 204u);
  EXPECT_EQ(header_of(pre->headers, "Access-Control-Allow-Origin"), "https://app.example.com");
  EXPECT_EQ(header_of(pre->headers, "Access-Control-Allow-Headers"), "content-type");
  EXPECT_NE(header_of(pre->headers, "Access-Control-Allow-Methods").find("POST"),
            std::string::npos);
  c.cors_allowed_origins = {"*"};
  EXPECT_FALSE(origin_policy{c}
                   .cors_headers(request(verb::get, {{"Origin", "http://localhost:3000"}}))
                   .empty());
}

}  // namespace
}  // namespace brook::http
