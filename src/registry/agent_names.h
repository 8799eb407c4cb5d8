// agent_names: the names of agents' topics: random words of the embedded list
// (agent_words.h) joined by a separator, after an optional prefix ("brave-otter-lantern",
// "team-a.brave-otter-lantern"). Three words of 4,438 give 8.7e10 names; whether a name is
// free (no topic, no agent, not reserved, never used before) is the caller's question,
// asked of each draw.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "base/expected.h"

namespace brook::registry {

struct agent_name_options {
  int words = 3;                // 1 to 8
  std::string separator = "-";  // "-", "_" or "."
  std::string prefix;           // put before the words with the separator; topic characters

  // The options checked: what is wrong, in words, or nothing.
  std::optional<std::string> problem() const;
};

class agent_name_generator {
 public:
  // `options` must have no problem(). `seed` 0: from std::random_device.
  explicit agent_name_generator(agent_name_options options, uint64_t seed = 0);

  // A name `taken` does not refuse, out of at most `attempts` draws; nullopt when each
  // draw was taken. Thread-safe.
  std::optional<std::string> next(const std::function<bool(const std::string&)>& taken,
                                  int attempts = 64);

  const agent_name_options& options() const { return _options; }

 private:
  const agent_name_options _options;
  std::mutex _mutex;
  std::mt19937_64 _rng;  // guarded by _mutex
};

}  // namespace brook::registry
