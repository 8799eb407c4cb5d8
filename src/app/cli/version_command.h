// `brook version` and `brook --version`: print "brook <version>" (the project version
// from CMakeLists.txt).
#pragma once

#include <iosfwd>

namespace CLI {
class App;
}

namespace brook::app {

// Adds the `--version` flag and, last in --help's list, the `version` command to `app`;
// `requested` becomes true when either is given.
CLI::App* add_version_command(CLI::App& app, bool& requested);

int run_version(std::ostream& out);

}  // namespace brook::app
