#include "app/cli/key_value.h"

#include <fmt/format.h>

namespace brook::app {

std::pair<std::string, std::string> split_key_value(std::string_view text) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos) {
    return {std::string(text), {}};
  }
  return {std::string(text.substr(0, eq)), std::string(text.substr(eq + 1))};
}

done check_key_values(const std::vector<std::string>& given, std::string_view option,
                      std::string_view shape) {
  for (const auto& kv : given) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      return failure(fmt::format("{}: '{}' is not {}", option, kv, shape));
    }
  }
  return {};
}

}  // namespace brook::app
