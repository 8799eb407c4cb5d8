#include "base/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

namespace brook {

file::~file() {
  (void)close();
}

file::file(file&& other) noexcept : _fd(std::exchange(other._fd, -1)) {}

file& file::operator=(file&& other) noexcept {
  if (this != &other) {
    (void)close();
    _fd = std::exchange(other._fd, -1);
  }
  return *this;
}

result<file> file::open(const std::filesystem::path& path, mode m) {
  int flags = O_CLOEXEC;
  switch (m) {
    case mode::read_only:
      flags |= O_RDONLY;
      break;
    case mode::read_write:
      flags |= O_RDWR;
      break;
    case mode::create_read_write:
      flags |= O_RDWR | O_CREAT;
      break;
    case mode::create_owner_only:
      flags |= O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW;
      break;
  }
  int fd = ::open(path.c_str(), flags, m == mode::create_owner_only ? 0600 : 0644);
  if (fd < 0) {
    return last_system_error();
  }
  return file(fd);
}

result<size_t> file::read_at(uint64_t position, std::span<std::byte> out) const {
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n =
        ::pread(_fd, out.data() + done, out.size() - done, static_cast<off_t>(position + done));
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return last_system_error();
    }
    if (n == 0) {
      break;
    }
    done += static_cast<size_t>(n);
  }
  return done;
}

status file::write_at(uint64_t position, std::span<const std::byte> data) const {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n =
        ::pwrite(_fd, data.data() + done, data.size() - done, static_cast<off_t>(position + done));
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return last_system_error();
    }
    done += static_cast<size_t>(n);
  }
  return {};
}

result<uint64_t> file::size() const {
  struct stat st {};
  if (::fstat(_fd, &st) != 0) {
    return last_system_error();
  }
  return static_cast<uint64_t>(st.st_size);
}

status file::truncate(uint64_t size) const {
  while (::ftruncate(_fd, static_cast<off_t>(size)) != 0) {
    if (errno != EINTR) {
      return last_system_error();
    }
  }
  return {};
}

status file::datasync() const {
  if (::fdatasync(_fd) != 0) {
    return last_system_error();
  }
  return {};
}

status file::close() {
  if (_fd < 0) {
    return {};
  }
  int fd = std::exchange(_fd, -1);
  if (::close(fd) != 0 && errno != EINTR) {
    return last_system_error();
  }
  return {};
}

status sync_directory(const std::filesystem::path& dir) {
  auto f = file::open(dir, file::mode::read_only);
  if (!f) {
    return f.error();
  }
  if (::fsync(f->fd()) != 0) {
    return last_system_error();
  }
  return {};
}

status write_file_atomically(const std::filesystem::path& path, std::string_view contents,
                             bool owner_only) {
  auto tmp = path;
  tmp += ".tmp";
  if (owner_only) {
    // A new file of our own (never one someone else made or holds open, nor a link).
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    if (ec) {
      return ec;
    }
  }
  {
    auto f =
        file::open(tmp, owner_only ? file::mode::create_owner_only : file::mode::create_read_write);
    if (!f) {
      return f.error();
    }
    if (auto s = f->truncate(0); !s) {
      return s;
    }
    if (auto s = f->write_at(0, std::as_bytes(std::span(contents))); !s) {
      return s;
    }
    if (auto s = f->datasync(); !s) {
      return s;
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    return ec;
  }
  return sync_directory(path.parent_path());
}

}  // namespace brook
