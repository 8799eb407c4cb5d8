#include "base/json_writer.h"

#include <charconv>
#include <cmath>

namespace brook {

void json_writer::separate() {
  if (_after_key) {
    _after_key = false;
    return;
  }
  if (!_first.empty()) {
    if (!_first.back()) {
      _out.push_back(',');
    }
    _first.back() = false;
  }
}

json_writer& json_writer::begin_object() {
  separate();
  _out.push_back('{');
  _first.push_back(true);
  return *this;
}

json_writer& json_writer::end_object() {
  _out.push_back('}');
  _first.pop_back();
  return *this;
}

json_writer& json_writer::begin_array() {
  separate();
  _out.push_back('[');
  _first.push_back(true);
  return *this;
}

json_writer& json_writer::end_array() {
  _out.push_back(']');
  _first.pop_back();
  return *this;
}

json_writer& json_writer::key(std::string_view k) {
  separate();
  append_string(_out, k);
  _out.push_back(':');
  _after_key = true;
  return *this;
}

json_writer& json_writer::value(std::string_view s) {
  separate();
  append_string(_out, s);
  return *this;
}

json_writer& json_writer::value(int64_t v) {
  separate();
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  _out.append(buf, end);
  return *this;
}

json_writer& json_writer::value(uint64_t v) {
  separate();
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  _out.append(buf, end);
  return *this;
}

json_writer& json_writer::value(double v) {
  if (!std::isfinite(v)) {
    return null();  // JSON has no NaN or infinity
  }
  separate();
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  _out.append(buf, end);
  return *this;
}

json_writer& json_writer::value(bool v) {
  separate();
  _out.append(v ? "true" : "false");
  return *this;
}

json_writer& json_writer::null() {
  separate();
  _out.append("null");
  return *this;
}

json_writer& json_writer::raw(std::string_view json) {
  separate();
  _out.append(json);
  return *this;
}

namespace {

// The length of the valid UTF-8 sequence starting at s[i], or 0 if it is not one.
size_t utf8_length(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  auto cont = [&](size_t k) { return i + k < s.size() && (b(k) & 0xC0) == 0x80; };
  unsigned char c = b(0);
  if (c >= 0xC2 && c <= 0xDF) {
    return cont(1) ? 2 : 0;
  }
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) {
      return 0;
    }
    if ((c == 0xE0 && b(1) < 0xA0) || (c == 0xED && b(1) > 0x9F)) {
      return 0;  // overlong, or a UTF-16 surrogate
    }
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) {
      return 0;
    }
    if ((c == 0xF0 && b(1) < 0x90) || (c == 0xF4 && b(1) > 0x8F)) {
      return 0;
    }
    return 4;
  }
  return 0;
}

}  // namespace

void json_writer::append_string(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out.push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      size_t n = utf8_length(s, i);
      if (n == 0) {
        out.append("\xEF\xBF\xBD");  // U+FFFD
        ++i;
      } else {
        out.append(s.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default:
        if (c < 0x20) {
          out.append("\\u00");
          out.push_back(hex[c >> 4]);
          out.push_back(hex[c & 0xF]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  out.push_back('"');
}

std::string json_writer::quoted(std::string_view s) {
  std::string out;
  append_string(out, s);
  return out;
}

}  // namespace brook
