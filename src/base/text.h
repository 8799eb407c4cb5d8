// text: the small string operations settings, headers and config values share: trimming,
// ASCII case, comma-separated lists. One definition each, so "a, b" or " GZIP " reads the
// same in a topic config, a --flag and an HTTP header.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace brook {

// Without leading and trailing spaces and control characters (as Java's String.trim).
std::string_view trim(std::string_view s);
// ASCII lower case.
std::string lower(std::string_view s);
// Equal but for ASCII case.
bool iequals(std::string_view a, std::string_view b);
// A comma-separated list: elements trimmed, empty ones dropped.
std::vector<std::string> split_list(std::string_view value);
// The elements joined with commas.
std::string join_list(const std::vector<std::string>& elements);

// Text a client sent, made safe for a log line: at most `max` bytes (then "..."), control
// characters and bytes outside printable ASCII written as \xNN.
std::string loggable(std::string_view s, size_t max = 64);

}  // namespace brook
