// json_writer: builds JSON text into a string, with the commas and escaping done here
// (RFC 8259: quotes, backslashes and control characters escaped; invalid UTF-8 bytes
// become U+FFFD so the output is always valid JSON).
//
//   json_writer w;
//   w.begin_object().key("offsets").begin_array().end_array().end_object();
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace brook {

class json_writer {
 public:
  json_writer& begin_object();
  json_writer& end_object();
  json_writer& begin_array();
  json_writer& end_array();
  json_writer& key(std::string_view k);
  json_writer& value(std::string_view s);
  json_writer& value(const char* s) { return value(std::string_view(s)); }
  json_writer& value(const std::string& s) { return value(std::string_view(s)); }
  json_writer& value(int64_t v);
  json_writer& value(int32_t v) { return value(static_cast<int64_t>(v)); }
  json_writer& value(uint64_t v);
  json_writer& value(bool v);
  // The shortest text that reads back as `v`; null for NaN and infinities.
  json_writer& value(double v);
  json_writer& null();
  // Text that is already valid JSON, written as it is.
  json_writer& raw(std::string_view json);

  const std::string& str() const { return _out; }
  std::string take() { return std::move(_out); }

  // `s` as a quoted JSON string, appended to `out`.
  static void append_string(std::string& out, std::string_view s);
  // `s` as a quoted JSON string.
  static std::string quoted(std::string_view s);

 private:
  void separate();

  std::string _out;
  std::vector<bool> _first;  // per open container: nothing written in it yet
  bool _after_key = false;
};

}  // namespace brook
