#include "app/cli/generate_command.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <fstream>
#include <istream>
#include <random>
#include <sstream>
#include <streambuf>
#include <thread>

#include "app/cli/produce_command.h"
#include "base/clock.h"
#include "connect/event_template.h"

namespace brook::app {

namespace {

// The events as lines of an input stream, made as they are read, paced to the rate.
class event_stream : public std::streambuf {
 public:
  event_stream(connect::event_template& t, const generate_options& o)
      : _template(t), _options(o), _started(std::chrono::steady_clock::now()) {}

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) {
      return traits_type::to_int_type(*gptr());
    }
    if (_options.count >= 0 && _seq >= static_cast<uint64_t>(_options.count)) {
      return traits_type::eof();
    }
    const auto now = std::chrono::steady_clock::now();
    if (_options.duration > 0 &&
        now - _started >= std::chrono::duration<double>(_options.duration)) {
      return traits_type::eof();
    }
    if (_options.rate > 0) {
      const auto due = _started + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                      std::chrono::duration<double>(_seq / _options.rate));
      if (due > now) {
        std::this_thread::sleep_until(due);
      }
    }
    _line = _template.render(_seq++, wall_clock_ms());
    _line.push_back('\n');
    setg(_line.data(), _line.data(), _line.data() + _line.size());
    return traits_type::to_int_type(*gptr());
  }

 private:
  connect::event_template& _template;
  const generate_options& _options;
  std::chrono::steady_clock::time_point _started;
  uint64_t _seq = 0;
  std::string _line;
};

}  // namespace

CLI::App* add_generate_command(CLI::App& app, generate_options& o) {
  auto* cmd = app.add_subcommand(
      "generate", "Produce realistic JSON events from a template (rate, duration or count)");
  cmd->add_option("topic", o.topic, "Topic to produce to")->required()->type_name("TOPIC");
  add_client_options(cmd, o.client);
  cmd->add_option("--template", o.template_file,
                  "JSON template with {{placeholders}} (doc/connect.md#brook-generate)")
      ->required()
      ->type_name("FILE");
  cmd->add_option("--rate", o.rate, "Events per second (0: as fast as they are taken)")
      ->type_name("N");
  cmd->add_option("--duration", o.duration, "Seconds to run (0: until --count)")->type_name("S");
  cmd->add_option("--count", o.count, "Events to produce (default: until --duration)")
      ->type_name("N");
  cmd->add_option("--seed", o.seed, "Random seed, for the same events again (0: random)")
      ->type_name("N");
  cmd->add_flag("--json", o.json, "Print the summary as one JSON object");
  return cmd;
}

done validate_generate_options(const generate_options& o) {
  if (auto valid = validate_client_options(o.client, o.topic); !valid) {
    return valid;
  }
  if (o.rate < 0 || o.duration < 0) {
    return failure("--rate and --duration must not be negative");
  }
  if (o.count < 0 && o.duration <= 0) {
    return failure("give --count or --duration (or both)");
  }
  return {};
}

int run_generate_command(const generate_options& o, std::ostream& out, std::ostream& err) {
  if (auto valid = validate_generate_options(o); !valid) {
    err << "brook generate: " << valid.error() << "\n";
    return 2;
  }
  std::ifstream in(o.template_file, std::ios::binary);
  if (!in) {
    err << "brook generate: cannot read " << o.template_file << "\n";
    return 2;
  }
  std::stringstream text;
  text << in.rdbuf();
  const uint64_t seed = o.seed != 0 ? o.seed : std::random_device{}();
  auto t = connect::event_template::parse(text.str(), seed);
  if (!t) {
    err << "brook generate: " << o.template_file << ": " << t.error() << "\n";
    return 2;
  }
  event_stream events(**t, o);
  std::istream input(&events);
  produce_options p;
  p.topic = o.topic;
  p.client = o.client;
  p.json = o.json;
  return run_produce_command(p, input, out, err);
}

}  // namespace brook::app
