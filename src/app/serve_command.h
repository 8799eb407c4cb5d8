// `brook serve`: opens (recovering) the data directory, serves until SIGINT or SIGTERM,
// then closes every log cleanly.
#pragma once

#include "app/config.h"

namespace brook::app {

int run_serve(const server_config& config);

}  // namespace brook::app
