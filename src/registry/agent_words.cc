#include "registry/agent_words.h"

namespace brook::registry {

const std::vector<std::string_view>& agent_words() {
  static const std::vector<std::string_view> words = [] {
    std::vector<std::string_view> out;
    std::string_view rest = agent_words_file();
    while (!rest.empty()) {
      const size_t end = rest.find('\n');
      std::string_view line = rest.substr(0, end);
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
      if (!line.empty() && line.front() != '#') {
        out.push_back(line);
      }
    }
    return out;
  }();
  return words;
}

}  // namespace brook::registry
