#include "app/cli/rest_call.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string_view>
#include <utility>
#include <vector>

#include "net/http_fetch.h"

namespace brook::app {

outcome<rest_reply> rest_call(const rest_target& target, std::string method,
                              const std::string& path, std::string body,
                              const std::vector<std::string>& headers) {
  net::fetch_request r;
  r.method = std::move(method);
  r.url = target.url + path;
  r.body = std::move(body);
  r.headers = {"Accept: application/json"};
  if (!r.body.empty()) {
    r.headers.emplace_back("Content-Type: application/json");
  }
  r.headers.insert(r.headers.end(), headers.begin(), headers.end());
  r.user = target.user;
  r.password = target.password;
  net::fetch_options options;
  options.timeout = std::chrono::milliseconds(target.timeout_ms);
  options.max_bytes = size_t{16} << 20;
  auto got = net::http_call(r, options);
  if (!got) {
    return failure(fmt::format("{}: {}", target.url, got.error()));
  }
  return rest_reply{got->status, std::move(got->body)};
}

std::string rest_error_text(const rest_reply& reply) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  std::string_view message;
  if (parser.parse(reply.body).get(root) == simdjson::SUCCESS &&
      root["message"].get(message) == simdjson::SUCCESS) {
    return fmt::format("{} (HTTP {})", message, reply.status);
  }
  return fmt::format("HTTP {}{}{}", reply.status, reply.body.empty() ? "" : ": ", reply.body);
}

std::string json_text(simdjson::dom::element object, std::string_view key) {
  simdjson::dom::element v;
  if (object[key].get(v) != simdjson::SUCCESS || v.is_null()) {
    return "-";
  }
  std::string_view s;
  if (v.get(s) == simdjson::SUCCESS) {
    return std::string(s);
  }
  return simdjson::minify(v);
}

outcome<std::string> read_text_file(const std::string& path, std::string_view option) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return failure(fmt::format("{}: cannot read {}", option, path));
  }
  std::stringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) {
    s.pop_back();
  }
  return s;
}

void add_rest_target_options(CLI::App* sub, rest_target& target, const char* url_help) {
  sub->add_option("--url", target.url, url_help)
      ->envname("BROOK_URL")
      ->type_name("URL")
      ->capture_default_str();
  sub->add_option("--user", target.user, "Log in as this user (HTTP Basic)")
      ->envname("BROOK_HTTP_USER")
      ->type_name("NAME");
  sub->add_option("--password", target.password,
                  "The password (better from the environment: BROOK_HTTP_PASSWORD)")
      ->envname("BROOK_HTTP_PASSWORD")
      ->type_name("PASSWORD");
  sub->add_option("--timeout-ms", target.timeout_ms, "Wait this long for each answer")
      ->type_name("MS")
      ->capture_default_str();
}

done check_rest_target(rest_target& target) {
  if (!target.url.starts_with("http://") && !target.url.starts_with("https://")) {
    return failure(fmt::format("--url: {} is not an http:// or https:// URL", target.url));
  }
  if (!target.user.empty() && target.password.empty()) {
    return failure("--user needs --password (or BROOK_HTTP_PASSWORD)");
  }
  while (target.url.ends_with('/')) {
    target.url.pop_back();
  }
  return {};
}

}  // namespace brook::app
