// temp_dir: a fresh directory under $TMPDIR (or /tmp), removed with its contents at the end
// of the test. Real files: the storage tests use the disk itself, not a fake.
#pragma once

#include <filesystem>
#include <string>

namespace brook::test {

class temp_dir {
 public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::filesystem::path& path() const { return _path; }
  std::filesystem::path operator/(const std::string& name) const { return _path / name; }

 private:
  std::filesystem::path _path;
};

}  // namespace brook::test
