// key_value: the NAME=VALUE arguments of the commands (-X librdkafka properties, --config,
// --header): their check and their split, in one place.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "app/cli/command_outcome.h"

namespace brook::app {

// "NAME=VALUE" as {NAME, VALUE} (the value after the first '='; empty without one).
std::pair<std::string, std::string> split_key_value(std::string_view text);

// Every element of `given` is NAME=VALUE with a NAME; else the first that is not, as
// "OPTION: 'TEXT' is not SHAPE" (SHAPE: "NAME=VALUE", "KEY=VALUE").
done check_key_values(const std::vector<std::string>& given, std::string_view option,
                      std::string_view shape = "NAME=VALUE");

}  // namespace brook::app
