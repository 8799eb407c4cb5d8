// file_contents: the bytes of a file, for tests that check a file was left unchanged.
#pragma once

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace brook::test {

// The whole file as bytes; empty if it cannot be read.
inline std::string file_contents(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace brook::test
