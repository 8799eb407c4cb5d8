#include "base/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace brook::log {

bool set_level(std::string_view name) {
  auto level = spdlog::level::from_str(std::string(name));
  if (level == spdlog::level::off && name != "off") {
    return false;
  }
  static const bool installed = [] {
    auto logger = spdlog::stderr_color_mt("brook");
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);
    spdlog::set_default_logger(logger);
    return true;
  }();
  (void)installed;
  spdlog::set_level(level);
  return true;
}

}  // namespace brook::log
