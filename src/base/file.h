// file: an owned file descriptor with the few operations the storage engine needs, each
// returning an error value. Reads and writes are positional (pread/pwrite) and loop over
// short transfers, so one file can be read from many threads while one thread appends.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>

#include "base/result.h"

namespace brook {

class file {
 public:
  // create_owner_only: a new file (it must not exist; a symbolic link is not followed),
  // read-write and readable by its owner only (0600), for secrets.
  enum class mode { read_only, read_write, create_read_write, create_owner_only };

  file() = default;
  ~file();
  file(file&& other) noexcept;
  file& operator=(file&& other) noexcept;
  file(const file&) = delete;
  file& operator=(const file&) = delete;

  static result<file> open(const std::filesystem::path& path, mode m);

  bool is_open() const { return _fd >= 0; }
  int fd() const { return _fd; }

  // Reads up to out.size() bytes at `position`; returns the count read (short only at EOF).
  result<size_t> read_at(uint64_t position, std::span<std::byte> out) const;
  // Writes all of `data` at `position`, or fails (a partial write may remain: see truncate).
  status write_at(uint64_t position, std::span<const std::byte> data) const;
  result<uint64_t> size() const;
  status truncate(uint64_t size) const;
  status datasync() const;
  status close();

 private:
  explicit file(int fd) : _fd(fd) {}
  int _fd = -1;
};

// fsyncs a directory, making the creation, rename or removal of its entries durable.
status sync_directory(const std::filesystem::path& dir);

// Replaces `path` with `contents` atomically and durably: a temporary file, fdatasync,
// rename over `path`, fsync of the directory. A reader sees the old or the new contents.
// `owner_only`: the file is 0600 from its first byte on (a secret).
status write_file_atomically(const std::filesystem::path& path, std::string_view contents,
                             bool owner_only = false);

}  // namespace brook
