#include "base/log.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <unistd.h>

#include <memory>

#include "base/clock.h"
#include "base/json_writer.h"

namespace brook::log {

namespace {

const char* const text_pattern = "%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v";

std::shared_ptr<spdlog::logger> logger() {
  static const auto installed = [] {
    auto l = spdlog::stderr_color_mt("brook");
    l->set_pattern(text_pattern, spdlog::pattern_time_type::utc);
    spdlog::set_default_logger(l);
    return l;
  }();
  return installed;
}

// {"time":"<ISO-8601 UTC, ms>","level":"info","msg":"..."}: the message escaped as JSON
// (quotes, backslashes, control characters; invalid UTF-8 replaced).
class json_line_formatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch()).count();
    std::string line = "{\"time\":\"" + format_iso8601(ms) + "\",\"level\":\"";
    const auto level = spdlog::level::to_string_view(msg.level);
    line.append(level.data(), level.size());
    line += "\",\"msg\":";
    json_writer::append_string(line, std::string_view(msg.payload.data(), msg.payload.size()));
    line += "}\n";
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<json_line_formatter>();
  }
};

}  // namespace

bool set_level(std::string_view name) {
  auto level = spdlog::level::from_str(std::string(name));
  if (level == spdlog::level::off && name != "off") {
    return false;
  }
  (void)logger();
  spdlog::set_level(level);
  return true;
}

bool set_format(std::string_view name) {
  bool json = false;
  if (name == "json") {
    json = true;
  } else if (name == "auto") {
    json = isatty(STDERR_FILENO) == 0;
  } else if (name != "text") {
    return false;
  }
  auto l = logger();
  if (json) {
    l->set_formatter(std::make_unique<json_line_formatter>());
  } else {
    l->set_pattern(text_pattern, spdlog::pattern_time_type::utc);
  }
  return true;
}

}  // namespace brook::log
