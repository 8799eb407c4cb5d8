#include "http/router.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "base/uri_encoding.h"

namespace brook::http {

namespace {

std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    size_t end = path.find('/', i);
    if (end == std::string_view::npos) {
      end = path.size();
    }
    out.push_back(path.substr(i, end - i));
    i = end;
  }
  return out;
}

// A segment of a path from parse_target: "%2F" and "%25" are still escaped there (so that an
// escaped slash does not split a segment); they become '/' and '%' here.
std::string unescape_segment(std::string_view seg) {
  std::string out;
  out.reserve(seg.size());
  for (size_t i = 0; i < seg.size(); ++i) {
    if (seg[i] == '%' && i + 2 < seg.size()) {
      auto code = seg.substr(i + 1, 2);
      if (code == "2F") {
        out.push_back('/');
        i += 2;
        continue;
      }
      if (code == "25") {
        out.push_back('%');
        i += 2;
        continue;
      }
    }
    out.push_back(seg[i]);
  }
  return out;
}

bool matches(std::string_view pattern, std::string_view path,
             std::vector<std::pair<std::string, std::string>>& params) {
  auto want = segments(pattern);
  auto have = segments(path);
  if (want.size() != have.size()) {
    return false;
  }
  params.clear();
  for (size_t i = 0; i < want.size(); ++i) {
    // "{name}", or "{name}:verb" (a custom method, as /v1/agents/{id}:disable): the
    // segment must end with the suffix, and the parameter is what comes before it.
    const size_t close = want[i].find('}');
    if (want[i].size() >= 2 && want[i].front() == '{' && close != std::string_view::npos) {
      const std::string_view suffix = want[i].substr(close + 1);
      std::string value = unescape_segment(have[i]);
      if (!suffix.empty()) {
        if (value.size() <= suffix.size() || !std::string_view(value).ends_with(suffix)) {
          return false;
        }
        value.resize(value.size() - suffix.size());
      }
      params.emplace_back(std::string(want[i].substr(1, close - 1)), std::move(value));
    } else if (want[i] != unescape_segment(have[i])) {
      return false;
    }
  }
  return true;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

// Percent-decodes `in`. In a path (`keep_slash`), "%2F" and "%25" stay escaped (as "%2F" and
// "%25"): the router splits segments first and unescapes them after.
bool decode(std::string_view in, bool plus_is_space, std::string& out, bool keep_slash = false) {
  out.clear();
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) {
        return false;
      }
      int hi = hex_value(in[i + 1]);
      int lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) {
        return false;
      }
      char decoded = static_cast<char>(hi * 16 + lo);
      if (keep_slash && (decoded == '/' || decoded == '%')) {
        out.append(decoded == '/' ? "%2F" : "%25");
      } else {
        out.push_back(decoded);
      }
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return true;
}

}  // namespace

void router::add(boost::beast::http::verb method, std::string pattern, route_handler h) {
  _routes.push_back({method, std::move(pattern), std::move(h), {}});
}

void router::add_open(boost::beast::http::verb method, std::string pattern, route_handler h) {
  _routes.push_back({method, std::move(pattern), std::move(h), {}, true});
}

void router::add_waiting(boost::beast::http::verb method, std::string pattern, route_handler h) {
  _routes.push_back({method, std::move(pattern), std::move(h), {}, false, true});
}

void router::add_streaming(boost::beast::http::verb method, std::string pattern, stream_handler h,
                           bool waits) {
  _routes.push_back({method, std::move(pattern), {}, std::move(h), false, waits});
}

router::match_result router::match(boost::beast::http::verb method, std::string_view path) const {
  match_result r;
  std::vector<std::pair<std::string, std::string>> params;
  for (const auto& rt : _routes) {
    if (!matches(rt.pattern, path, params)) {
      continue;
    }
    if (rt.method == method) {
      r.found = &rt;
      r.status = 200;
      r.params = std::move(params);
      return r;
    }
    r.status = 405;
    auto name = std::string(boost::beast::http::to_string(rt.method));
    if (r.allow.find(name) == std::string::npos) {
      r.allow += r.allow.empty() ? name : ", " + name;
    }
  }
  return r;
}

bool parse_target(std::string_view target, std::string& path,
                  std::map<std::string, std::string>& query) {
  if (target.empty() || target.front() != '/') {
    return false;
  }
  auto q = target.find('?');
  if (!decode(target.substr(0, q), false, path, true)) {
    return false;
  }
  query.clear();
  if (q == std::string_view::npos) {
    return true;
  }
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    auto amp = rest.find('&');
    auto pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (pair.empty()) {
      continue;
    }
    auto eq = pair.find('=');
    std::string name;
    std::string value;
    if (!decode(pair.substr(0, eq), true, name) ||
        !decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1), true,
                value)) {
      return false;
    }
    query[std::move(name)] = std::move(value);
  }
  return true;
}

std::string escape_path_segment(std::string_view segment) {
  return uri_encode(segment);
}

}  // namespace brook::http
