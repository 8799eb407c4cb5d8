// outcome<T>: what a step of a `brook` command returns: a value, or a message for the user
// (printed after the command's name, e.g. "brook group describe: ..."). It is
// expected<T, std::string> (base/expected.h); `return failure("why");` makes the error.
#pragma once

#include <string>

#include "base/expected.h"

namespace brook::app {

template <typename T>
using outcome = expected<T, std::string>;

// Why a step failed, in words for the user.
using failure = unexpected<std::string>;

// A step that returns nothing but may fail.
using done = outcome<void>;

}  // namespace brook::app
