#include "storage/data_dir_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <string>

#include "storage/errc.h"

namespace brook::storage {

data_dir_lock::~data_dir_lock() {
  if (_fd >= 0) {
    ::close(_fd);  // releases the flock
  }
}

data_dir_lock::data_dir_lock(data_dir_lock&& other) noexcept : _fd(other._fd) {
  other._fd = -1;
}

data_dir_lock& data_dir_lock::operator=(data_dir_lock&& other) noexcept {
  if (this != &other) {
    if (_fd >= 0) {
      ::close(_fd);
    }
    _fd = other._fd;
    other._fd = -1;
  }
  return *this;
}

result<data_dir_lock> data_dir_lock::acquire(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return ec;
  }
  auto path = dir / file_name;
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return last_system_error();
  }
  data_dir_lock lock(fd);
  int rc = 0;
  do {
    rc = ::flock(fd, LOCK_EX | LOCK_NB);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    if (errno == EWOULDBLOCK) {
      return errc::data_dir_locked;
    }
    return last_system_error();
  }
  // The pid, for the message of a refused second server. Failing to write it costs only
  // that message, so it is not an error.
  auto text = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) == 0) {
    (void)!::pwrite(fd, text.data(), text.size(), 0);
  }
  return lock;
}

std::optional<pid_t> data_dir_lock::holder(const std::filesystem::path& dir) {
  int fd = ::open((dir / file_name).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return std::nullopt;
  }
  char buf[32];
  auto n = ::pread(fd, buf, sizeof buf, 0);
  ::close(fd);
  if (n <= 0) {
    return std::nullopt;
  }
  pid_t pid = 0;
  auto [end, parse_ec] = std::from_chars(buf, buf + n, pid);
  if (parse_ec != std::errc{} || pid <= 0 || end == buf + n || *end != '\n') {
    return std::nullopt;
  }
  return pid;
}

}  // namespace brook::storage
