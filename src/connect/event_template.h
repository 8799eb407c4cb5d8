// event_template: realistic JSON events from a template (the analytics seed's simulation),
// for `brook generate` and the datagen source. The template is any JSON document; a string
// in it may hold placeholders, replaced at each event:
//
//   {{seq}}              the event's sequence number (0, 1, ...)
//   {{int:MIN:MAX}}      a random integer in [MIN, MAX]
//   {{float:MIN:MAX}}    a random number in [MIN, MAX)
//   {{bool}}             true or false
//   {{choice:A,B,C}}     one of the values, at random
//   {{word}}             a random English word
//   {{user:N}}           one of N user ids (user-1 ... user-N): N is the cardinality
//   {{session:N}}        one of N session ids (session-1 ... session-N)
//   {{uuid}}             a random UUID
//   {{now}}              the time, epoch milliseconds
//   {{now_iso}}          the time, ISO-8601 UTC
//
// A string that is one placeholder of a number or boolean ({{seq}}, {{int}}, {{float}},
// {{bool}}, {{now}}) becomes that JSON number or boolean; otherwise placeholders are
// replaced inside the string.
//
//   auto t = event_template::parse(R"({"user":"{{user:1000}}","n":"{{seq}}"})");
//   std::string event = t->render(seq, now_ms);
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "base/expected.h"
#include "base/json_writer.h"

namespace brook::connect {

class event_template {
 public:
  // The template, or why it is not one (not JSON, an unknown or malformed placeholder).
  static expected<std::unique_ptr<event_template>, std::string> parse(std::string_view text,
                                                                      uint64_t seed);

  // The event number `seq` at `now_ms`, as compact JSON.
  std::string render(uint64_t seq, int64_t now_ms);

 private:
  explicit event_template(uint64_t seed) : _rng(seed) {}
  void write(json_writer& w, simdjson::dom::element e, uint64_t seq, int64_t now_ms);
  // The value of one placeholder's body ("int:1:5"); `typed` says it is a number or
  // boolean. Records the first problem in _error.
  std::string expand(std::string_view body, uint64_t seq, int64_t now_ms, bool& typed);
  void write_string(json_writer& w, std::string_view s, uint64_t seq, int64_t now_ms);

  std::string _text;
  std::string _error;
  simdjson::dom::parser _parser;
  simdjson::dom::element _root;
  std::mt19937_64 _rng;
};

}  // namespace brook::connect
