#include "registry/agent_names.h"

#include <fmt/format.h>

#include <algorithm>

#include "registry/agent_words.h"

namespace brook::registry {

namespace {
// Longest topic name Kafka takes.
constexpr size_t max_topic_name = 249;
constexpr size_t longest_word = 7;

bool topic_character(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}
}  // namespace

std::optional<std::string> agent_name_options::problem() const {
  if (words < 1 || words > 8) {
    return fmt::format("name words must be 1 to 8, not {}", words);
  }
  if (separator != "-" && separator != "_" && separator != ".") {
    return fmt::format("the name separator must be \"-\", \"_\" or \".\", not \"{}\"", separator);
  }
  if (!std::all_of(prefix.begin(), prefix.end(), topic_character)) {
    return fmt::format("the name prefix \"{}\" has characters a topic name cannot have", prefix);
  }
  if (prefix.size() + 1 + static_cast<size_t>(words) * (longest_word + 1) > max_topic_name) {
    return fmt::format("the name prefix is too long ({} characters) for {}-word names",
                       prefix.size(), words);
  }
  return std::nullopt;
}

agent_name_generator::agent_name_generator(agent_name_options options, uint64_t seed)
    : _options(std::move(options)), _rng(seed != 0 ? seed : std::random_device{}()) {}

std::optional<std::string> agent_name_generator::next(
    const std::function<bool(const std::string&)>& taken, int attempts) {
  const auto& words = agent_words();
  for (int i = 0; i < attempts; ++i) {
    std::string name =
        _options.prefix.empty() ? std::string() : _options.prefix + _options.separator;
    {
      std::lock_guard lock(_mutex);
      std::uniform_int_distribution<size_t> pick(0, words.size() - 1);
      for (int w = 0; w < _options.words; ++w) {
        if (w > 0) {
          name += _options.separator;
        }
        name += words[pick(_rng)];
      }
    }
    if (!taken(name)) {
      return name;
    }
  }
  return std::nullopt;
}

}  // namespace brook::registry
