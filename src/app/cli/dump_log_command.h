// `brook debug dump-log PATH`: prints the batches of a segment `.log` file (or the entries
// of an `.index` / `.timeindex`) and checks the segment's indexes against the log, like
// kafka-dump-log. Exit status 0 when everything checks out, 2 when something is corrupt.
#pragma once

#include <filesystem>
#include <iosfwd>

namespace brook::app {

struct dump_options {
  bool print_records = false;  // decode and print keys, values and headers
};

int run_dump_log(const std::filesystem::path& path, const dump_options& options, std::ostream& out);

}  // namespace brook::app
