// The web console (doc/console.md) at /ui: its page and its two bundles, embedded at build
// time (http/console_assets.h), open to every client (the page asks for a login itself;
// every API call it makes is checked as any other). Answers carry a strict
// Content-Security-Policy (scripts, styles and connections from this origin only, no
// inline script, no framing), an ETag (If-None-Match: 304) and, when the browser takes it,
// the gzip form. GET / redirects to /ui.
#include <cstdlib>
#include <memory>
#include <vector>

#include "base/text.h"
#include "base/uri_encoding.h"
#include "http/console_assets.h"
#include "http/rest/rest_api.h"
#include "http/rest/rest_response.h"
#include "security/crypto.h"

namespace brook::http::rest {

namespace {

using boost::asio::awaitable;
using boost::beast::http::verb;

constexpr std::string_view content_security_policy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'";

std::string_view content_type_of(std::string_view name) {
  if (name.ends_with(".html")) {
    return "text/html; charset=utf-8";
  }
  if (name.ends_with(".js")) {
    return "text/javascript; charset=utf-8";
  }
  if (name.ends_with(".css")) {
    return "text/css; charset=utf-8";
  }
  return "application/octet-stream";
}

bool takes_gzip(const http_request& req) {
  std::string_view accepted = req.header("Accept-Encoding");
  while (!accepted.empty()) {
    const size_t comma = accepted.find(',');
    std::string_view coding = trim(accepted.substr(0, comma));
    accepted = comma == std::string_view::npos ? std::string_view() : accepted.substr(comma + 1);
    const size_t semicolon = coding.find(';');
    if (iequals(trim(coding.substr(0, semicolon)), "gzip")) {
      // "gzip;q=0" refuses it.
      const std::string params(
          semicolon == std::string_view::npos ? "" : trim(coding.substr(semicolon + 1)));
      return !params.starts_with("q=") || std::strtod(params.c_str() + 2, nullptr) > 0;
    }
  }
  return false;
}

struct served_asset {
  const console_asset* asset;
  std::string etag;  // a quoted digest of the body
};

http_response serve(const served_asset& a, const http_request& req) {
  http_response r;
  r.content_type = std::string(content_type_of(a.asset->name));
  r.headers.emplace_back("Content-Security-Policy", std::string(content_security_policy));
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("X-Frame-Options", "DENY");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.headers.emplace_back("ETag", a.etag);
  r.headers.emplace_back("Vary", "Accept-Encoding");
  if (req.header("If-None-Match") == a.etag) {
    r.status = 304;
    return r;
  }
  if (takes_gzip(req)) {
    r.headers.emplace_back("Content-Encoding", "gzip");
    r.body = std::string(a.asset->gzip);
  } else {
    r.body = std::string(a.asset->body);
  }
  return r;
}

}  // namespace

void add_console_routes(router& r) {
  auto assets = std::make_shared<std::vector<served_asset>>();
  for (const console_asset& a : console_assets()) {
    assets->push_back(
        {&a,
         "\"" + hex_lower(security::hash(security::digest::sha256, a.body)).substr(0, 32) + "\""});
  }
  auto find = [assets](std::string_view name) -> const served_asset* {
    for (const auto& a : *assets) {
      if (a.asset->name == name) {
        return &a;
      }
    }
    return nullptr;
  };
  const served_asset* index = find("index.html");
  r.add_open(verb::get, "/ui", [index](http_request& req) -> awaitable<http_response> {
    co_return serve(*index, req);
  });
  r.add_open(verb::get, "/ui/{file}", [find](http_request& req) -> awaitable<http_response> {
    const served_asset* a = find(req.param("file"));
    if (a == nullptr || a->asset->name == "index.html") {
      co_return error_response(error_codes::not_found, "HTTP 404 Not Found");
    }
    co_return serve(*a, req);
  });
  r.add_open(verb::get, "/", [](http_request&) -> awaitable<http_response> {
    http_response moved{302, "text/plain; charset=utf-8", "The console is at /ui\n", {}};
    moved.headers.emplace_back("Location", "/ui");
    co_return moved;
  });
}

}  // namespace brook::http::rest
