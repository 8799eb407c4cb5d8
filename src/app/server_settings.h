// server_settings: every setting of `brook serve`, once. A row holds the TOML key, the
// command-line flag, the value's name and help for --help, and the parser and formatter
// bound to one field of server_config. The environment variable is derived from the key
// (BROOK_ + the key in upper case, dots as underscores). The TOML file, the environment,
// the flags, --help, --print-config and the check of doc/configuration.md all read this
// table, so a new setting is one row here and one line in doc/configuration.md.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "app/config.h"

namespace brook::app {

struct server_setting {
  std::string_view key;   // "storage.segment_bytes"
  std::string_view flag;  // "--segment-bytes"
  std::string type;       // the value's name in --help: BYTES, MS, PORT, sync|interval ...
  std::string_view help;
  // Sets the field from text, or says what the value must be ("must be between 1024 and
  // 2147483647") when it is refused.
  std::function<done(server_config&, const std::string&)> parse;
  // The field's value, written as `parse` reads it.
  std::function<std::string(const server_config&)> format;
  // A string value: --print-config quotes it.
  bool is_string = false;

  // "BROOK_STORAGE_SEGMENT_BYTES"
  std::string env_name() const;
  // The built-in default, as `format` writes it.
  std::string default_value() const;
};

// Every setting, in documentation order.
const std::vector<server_setting>& server_settings();

// The setting with this TOML key, or nullptr.
const server_setting* find_server_setting(std::string_view key);

}  // namespace brook::app
