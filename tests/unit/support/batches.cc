#include "support/batches.h"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>

#include "base/big_endian.h"

namespace brook::test {

std::string make_batch(const std::string& tag, int count, size_t value_bytes, int64_t timestamp) {
  std::vector<protocol::record> records;
  for (int i = 0; i < count; ++i) {
    protocol::record r;
    r.key = "k" + std::to_string(i);
    r.value = tag + "-" + std::to_string(i);
    if (r.value.size() < value_bytes) {
      r.value.resize(value_bytes, '.');
    }
    r.timestamp_delta = i;
    records.push_back(std::move(r));
  }
  return protocol::build_batch(records, timestamp);
}

std::span<std::byte> bytes_of(std::string& s) {
  return {reinterpret_cast<std::byte*>(s.data()), s.size()};
}

std::string read_range(const storage::file_range& range) {
  std::string out(range.length, '\0');
  size_t done = 0;
  while (done < out.size()) {
    auto n = ::pread(range.fd, out.data() + done, out.size() - done,
                     static_cast<off_t>(range.position + done));
    if (n <= 0) {
      throw std::runtime_error("pread failed");
    }
    done += static_cast<size_t>(n);
  }
  return out;
}

std::vector<std::string> read_all_batches(const storage::partition_log& log, int64_t from) {
  std::vector<std::string> out;
  int64_t offset = from < 0 ? log.log_start_offset() : from;
  while (offset < log.high_watermark()) {
    auto r = log.read(offset, 1 << 20);
    if (!r || r->length == 0) {
      throw std::runtime_error("read failed at offset " + std::to_string(offset));
    }
    auto bytes = read_range(*r);
    size_t pos = 0;
    while (pos < bytes.size()) {
      auto h = protocol::batch_header::decode(std::as_bytes(std::span(bytes)).subspan(pos));
      out.push_back(bytes.substr(pos, h.total_size()));
      offset = h.last_offset() + 1;
      pos += h.total_size();
    }
  }
  return out;
}

std::string first_value(const std::string& batch) {
  auto records = protocol::decode_records(std::as_bytes(std::span(batch)));
  if (!records || records->empty()) {
    throw std::runtime_error("batch does not decode");
  }
  return records->front().value;
}

void append_to_file(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

void flip_byte(const std::filesystem::path& path, uint64_t position) {
  int fd = ::open(path.c_str(), O_RDWR);
  unsigned char c = 0;
  if (fd < 0 || ::pread(fd, &c, 1, static_cast<off_t>(position)) != 1) {
    throw std::runtime_error("flip_byte: cannot read");
  }
  c ^= 0xFF;
  if (::pwrite(fd, &c, 1, static_cast<off_t>(position)) != 1) {
    throw std::runtime_error("flip_byte: cannot write");
  }
  ::close(fd);
}

uint64_t file_size(const std::filesystem::path& path) {
  return std::filesystem::file_size(path);
}

}  // namespace brook::test
