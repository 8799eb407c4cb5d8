// Logging: spdlog, one process-wide logger writing to stderr. Modules call brook::log::info
// etc.; the level and the format come from configuration. One line per event: human text
// ("2026-12-07T01:02:03.456Z info message"), or a JSON object per line for log collectors
// ({"time":"2026-12-07T01:02:03.456Z","level":"info","msg":"message"}).
#pragma once

#include <spdlog/spdlog.h>

#include <string_view>

namespace brook::log {

// Sets the level by name (trace, debug, info, warn, error, off); false for an unknown name.
bool set_level(std::string_view name);

// Sets the line format: "text", "json", or "auto" (text when stderr is a terminal, JSON
// otherwise); false for an unknown name.
bool set_format(std::string_view name);

using spdlog::debug;
using spdlog::error;
using spdlog::info;
using spdlog::trace;
using spdlog::warn;

}  // namespace brook::log
