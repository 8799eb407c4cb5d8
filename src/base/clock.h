// clock: wall-clock time as milliseconds since the Unix epoch (the unit of Kafka record
// timestamps and commit times), and its ISO-8601 text form.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace brook {

// `t` as milliseconds since the Unix epoch.
int64_t epoch_ms(std::chrono::system_clock::time_point t);

// Milliseconds since the Unix epoch, now, from the system clock.
int64_t wall_clock_ms();

// Milliseconds since the epoch as UTC with milliseconds: "2021-02-05T19:14:42.123Z".
std::string format_iso8601(int64_t ms);

// An ISO-8601 date or date-time as milliseconds since the epoch; nullopt when `text` is
// not one. Accepted: "2024-05-01", "2024-05-01T12:00", "2024-05-01T12:00:00",
// "...:00.123" (digits past the third are dropped), a 't' or a space for 'T', and a zone of
// "Z", "+01:00", "+0100" or none (UTC). Fields out of range (month 13, February 30, hour 24)
// are refused.
std::optional<int64_t> parse_iso8601(std::string_view text);

}  // namespace brook
