#include "http/http_message.h"

#include "base/text.h"

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
  return lower(trim(v.substr(0, semi)));
}

}  // namespace brook::http
