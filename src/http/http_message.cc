#include "http/http_message.h"

#include <algorithm>
#include <cctype>

namespace brook::http {

const std::string& http_request::param(std::string_view name) const {
  static const std::string none;
  for (const auto& [k, v] : params) {
    if (k == name) {
      return v;
    }
  }
  return none;
}

std::string_view http_request::header(std::string_view name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string_view{} : std::string_view(it->value());
}

std::string http_request::media_type() const {
  auto v = header("Content-Type");
  auto semi = v.find(';');
  auto t = v.substr(0, semi);
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) {
    t.remove_suffix(1);
  }
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) {
    t.remove_prefix(1);
  }
  std::string out(t);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace brook::http
