#include "http/origin_policy.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>

#include <boost/asio/ip/address.hpp>

#include "base/json_writer.h"
#include "base/text.h"

namespace brook::http {

namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool is_ip_address(const std::string& host) {
  boost::system::error_code ec;
  (void)boost::asio::ip::make_address(host, ec);
  return !ec;
}

std::string this_host_name() {
  std::array<char, 256> name{};
  if (::gethostname(name.data(), name.size() - 1) != 0) {
    return {};
  }
  return host_name_of(name.data());
}

constexpr std::string_view allowed_methods = "GET, POST, PUT, DELETE";

}  // namespace

bool is_host_text(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-' || c == '_' ||
           c == ':' || c == '[' || c == ']';
  });
}

std::string host_name_of(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    auto close = host.find(']');
    host = host.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1);
  } else if (auto colon = host.find(':'); colon != std::string_view::npos &&
                                          host.find(':', colon + 1) == std::string_view::npos) {
    host = host.substr(0, colon);  // one colon: a port; more: an unbracketed IPv6 address
  }
  if (!host.empty() && host.back() == '.') {
    host.remove_suffix(1);
  }
  return lower(host);
}

origin_policy::origin_policy(const http_config& config) {
  for (const auto& h : config.allowed_hosts) {
    if (h == "*") {
      _any_host = true;
    } else {
      _hosts.push_back(host_name_of(h));
    }
  }
  if (auto self = this_host_name(); !self.empty()) {
    _hosts.push_back(self);
  }
  for (const auto& o : config.cors_allowed_origins) {
    if (o == "*") {
      _any_origin = true;
    } else {
      std::string_view origin = o;
      while (!origin.empty() && origin.back() == '/') {
        origin.remove_suffix(1);
      }
      _origins.push_back(lower(origin));
    }
  }
}

bool origin_policy::host_allowed(std::string_view host) const {
  if (_any_host || host.empty()) {
    return true;
  }
  auto name = host_name_of(host);
  if (name == "localhost" || ends_with(name, ".localhost") || is_ip_address(name)) {
    return true;
  }
  return std::find(_hosts.begin(), _hosts.end(), name) != _hosts.end();
}

bool origin_policy::origin_allowed(std::string_view origin) const {
  if (origin.empty() || (!_any_origin && _origins.empty())) {
    return false;
  }
  return _any_origin ||
         std::find(_origins.begin(), _origins.end(), lower(origin)) != _origins.end();
}

std::optional<http_response> origin_policy::preflight(const http_request& req) const {
  if (req.method != boost::beast::http::verb::options || req.header("Origin").empty() ||
      req.header("Access-Control-Request-Method").empty()) {
    return std::nullopt;
  }
  auto origin = req.header("Origin");
  if (!origin_allowed(origin)) {
    json_writer w;
    w.begin_object().key("error_code").value(int64_t{403});
    w.key("message")
        .value("origin " + std::string(origin) +
               " may not call this server from a browser: add it to http.cors_allowed_origins")
        .end_object();
    return http_response::json(403, w.take());
  }
  http_response r = http_response::no_content();
  r.headers = cors_headers(req);
  r.headers.emplace_back("Access-Control-Allow-Methods", std::string(allowed_methods));
  auto asked = req.header("Access-Control-Request-Headers");
  r.headers.emplace_back("Access-Control-Allow-Headers",
                         asked.empty() ? std::string("Content-Type, Accept") : std::string(asked));
  r.headers.emplace_back("Access-Control-Max-Age", "600");
  return r;
}

std::vector<std::pair<std::string, std::string>> origin_policy::cors_headers(
    const http_request& req) const {
  auto origin = req.header("Origin");
  if (!origin_allowed(origin)) {
    return {};
  }
  return {{"Access-Control-Allow-Origin", std::string(origin)}, {"Vary", "Origin"}};
}

}  // namespace brook::http
