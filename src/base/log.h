// Logging: spdlog, one process-wide logger writing to stderr. Modules call brook::log::info
// etc.; the level comes from configuration.
#pragma once

#include <spdlog/spdlog.h>

#include <string_view>

namespace brook::log {

// Sets the level by name (trace, debug, info, warn, error, off); false for an unknown name.
bool set_level(std::string_view name);

using spdlog::debug;
using spdlog::error;
using spdlog::info;
using spdlog::trace;
using spdlog::warn;

}  // namespace brook::log
