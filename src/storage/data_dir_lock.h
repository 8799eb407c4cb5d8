// data_dir_lock: one `brook serve` per data directory. Kafka's `.lock`: an exclusive
// flock(2) on `<data_dir>/.lock`, taken before anything in the directory is opened and
// held, through an open descriptor, for as long as the lock object lives (the process's
// lifetime in `brook serve`). The kernel drops it when the process ends, however it ends,
// so a lock file left by a killed server is not in the way: only a live holder is.
//
// The holder writes its pid (decimal, then a newline) into the file, for the message a
// refused second server prints. The pid is a hint for people; the flock is the lock.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>

#include "base/file.h"
#include "base/result.h"

namespace brook::storage {

class data_dir_lock {
 public:
  static constexpr const char* file_name = ".lock";

  // Creates `dir` if it is missing, then locks it. errc::data_dir_locked when another
  // process (or another data_dir_lock of this one) holds it; a system error when the
  // directory or the lock file cannot be created or opened.
  static result<data_dir_lock> acquire(const std::filesystem::path& dir);

  // The pid written in `dir`'s lock file, if it names one.
  static std::optional<pid_t> holder(const std::filesystem::path& dir);

  bool held() const { return _file.is_open(); }

 private:
  explicit data_dir_lock(file f) : _file(std::move(f)) {}
  file _file;  // open (O_CLOEXEC) for as long as the lock is held; closing it releases it
};

}  // namespace brook::storage
