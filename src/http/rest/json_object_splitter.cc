#include "http/rest/json_object_splitter.h"

namespace brook::http::rest {

bool json_object_splitter::feed(std::string_view bytes, std::vector<std::string>& out) {
  if (!_error.empty()) {
    return false;
  }
  for (char c : bytes) {
    if (_depth == 0) {
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        continue;
      }
      if (c != '{') {
        _error = "expected a JSON object";
        return false;
      }
    }
    _current.push_back(c);
    if (_current.size() > _max) {
      _error = "a record is larger than " + std::to_string(_max) + " bytes";
      return false;
    }
    if (_in_string) {
      if (_escape) {
        _escape = false;
      } else if (c == '\\') {
        _escape = true;
      } else if (c == '"') {
        _in_string = false;
      }
      continue;
    }
    if (c == '"') {
      _in_string = true;
    } else if (c == '{' || c == '[') {
      ++_depth;
    } else if (c == '}' || c == ']') {
      if (--_depth == 0) {
        out.push_back(std::move(_current));
        _current.clear();
      } else if (_depth < 0) {
        _error = "unbalanced brackets";
        return false;
      }
    }
  }
  return true;
}

}  // namespace brook::http::rest
