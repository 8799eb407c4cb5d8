// record_format: how `brook consume -f FORMAT` prints a record, with kcat's -f tokens:
//   %t topic  %p partition  %o offset  %T timestamp (ms, -1 if none)  %k key  %s value
//   %K key length (-1 for a null key)  %S value length (-1 for null)  %h headers (k=v,k=v)
//   %%  a percent sign;  \n \r \t \\  newline, return, tab, backslash.
// A null key or value prints as nothing. parse() refuses an unknown token, naming it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "app/cli/command_outcome.h"

namespace brook::app {

struct shown_record {
  std::string_view topic;
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp = -1;
  std::optional<std::string_view> key;
  std::optional<std::string_view> value;
  std::vector<std::pair<std::string_view, std::string_view>> headers;
};

class record_format {
 public:
  static outcome<record_format> parse(std::string_view format);

  // Appends `r` as the format says.
  void render(const shown_record& r, std::string& out) const;

  // One JSON object: topic, partition, offset, timestamp, key, value (strings; null when
  // null; bytes that are not UTF-8 replaced), headers (an object).
  static void render_json(const shown_record& r, std::string& out);

 private:
  // Literal text, or a token: the character after '%'.
  struct piece {
    bool token = false;
    char what = 0;
    std::string text;
  };
  std::vector<piece> _pieces;
};

}  // namespace brook::app
