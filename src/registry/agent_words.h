// agent_words: the words agent topic names are made of: src/registry/agent_words.txt (the
// EFF large word list's words of 3 to 7 lowercase letters, scripts/build-agent-words.py),
// embedded into the binary at build time.
#pragma once

#include <string_view>
#include <vector>

namespace brook::registry {

// The embedded file as it is (comment lines included).
std::string_view agent_words_file();

// Its words, in the file's order (sorted, distinct): parsed once, then shared.
const std::vector<std::string_view>& agent_words();

}  // namespace brook::registry
