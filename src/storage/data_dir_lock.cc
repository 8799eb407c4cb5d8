#include "storage/data_dir_lock.h"

#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <string>

#include "storage/errc.h"

namespace brook::storage {

result<data_dir_lock> data_dir_lock::acquire(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return ec;
  }
  auto f = file::open(dir / file_name, file::mode::create_read_write);
  if (!f) {
    return f.error();
  }
  int rc = 0;
  do {
    rc = ::flock(f->fd(), LOCK_EX | LOCK_NB);
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
  if (f->truncate(0)) {
    (void)f->write_at(0, std::as_bytes(std::span(text)));
  }
  return data_dir_lock(std::move(f).value());
}

std::optional<pid_t> data_dir_lock::holder(const std::filesystem::path& dir) {
  auto f = file::open(dir / file_name, file::mode::read_only);
  if (!f) {
    return std::nullopt;
  }
  char buf[32];
  auto n = f->read_at(0, std::as_writable_bytes(std::span(buf)));
  if (!n || *n == 0) {
    return std::nullopt;
  }
  const char* end_of_text = buf + *n;
  pid_t pid = 0;
  auto [end, parse_ec] = std::from_chars(buf, end_of_text, pid);
  if (parse_ec != std::errc{} || pid <= 0 || end == end_of_text || *end != '\n') {
    return std::nullopt;
  }
  return pid;
}

}  // namespace brook::storage
