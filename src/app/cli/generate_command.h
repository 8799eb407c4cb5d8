// `brook generate TOPIC --template FILE`: realistic JSON events (connect/event_template.h:
// sequence numbers, random choices, numbers and words, user and session ids of a given
// cardinality, timestamps) produced at --rate per second for --duration seconds or
// --count events, through `brook produce`'s path (librdkafka, acks, every record waited
// for). Exit status as `brook produce`: 0 all acknowledged, 1 a failure, 2 bad arguments.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>

#include "app/cli/client_options.h"
#include "app/cli/command_outcome.h"

namespace CLI {
class App;
}

namespace brook::app {

struct generate_options {
  std::string topic;
  client_options client;
  std::string template_file;
  double rate = 0;      // events per second; 0: as fast as they are taken
  double duration = 0;  // seconds; 0: until --count
  int64_t count = -1;   // -1: until --duration
  uint64_t seed = 0;    // 0: a random seed
  bool json = false;
};

CLI::App* add_generate_command(CLI::App& app, generate_options& options);
done validate_generate_options(const generate_options& options);
int run_generate_command(const generate_options& options, std::ostream& out, std::ostream& err);

}  // namespace brook::app
