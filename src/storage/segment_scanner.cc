#include "storage/segment_scanner.h"

#include <algorithm>
#include <vector>

#include "base/big_endian.h"
#include "base/crc32c.h"
#include "storage/errc.h"

namespace brook::storage {
namespace L = protocol::batch_layout;
namespace {

constexpr size_t buffer_bytes = 4 * 1024 * 1024;

// True when [position, file_size) holds only zero bytes (a preallocated or torn tail).
bool only_zeros(const file& log, uint64_t position, uint64_t file_size) {
  std::vector<std::byte> buf(64 * 1024);
  while (position < file_size) {
    auto n = log.read_at(
        position, std::span(buf).first(std::min<uint64_t>(buf.size(), file_size - position)));
    if (!n || *n == 0) {
      return false;
    }
    if (std::any_of(buf.begin(), buf.begin() + static_cast<long>(*n),
                    [](std::byte b) { return b != std::byte{0}; })) {
      return false;
    }
    position += *n;
  }
  return true;
}

}  // namespace

scan_outcome scan_segment(const file& log, uint64_t start, uint64_t file_size,
                          int64_t previous_last_offset, size_t max_batch_bytes,
                          size_t max_torn_bytes,
                          const std::function<void(const scanned_batch&)>& on_batch) {
  scan_outcome out;
  out.valid_end = start;
  out.last_offset = previous_last_offset;
  std::vector<std::byte> buf(
      std::min<uint64_t>(buffer_bytes, std::max<uint64_t>(file_size - start, L::header_size)));
  uint64_t buf_start = start;  // file position of buf[0]
  size_t buf_len = 0;
  uint64_t pos = start;

  auto stop = [&](std::error_code ec, bool torn) {
    if (out.io_error) {
      return out;
    }
    out.error = ec;
    out.torn_tail = torn || only_zeros(log, pos, file_size);
    return out;
  };

  // A batch that checked out: counted if its offsets rise, else false.
  auto accept = [&](const protocol::batch_header& h) {
    if (h.base_offset <= out.last_offset) {
      return false;
    }
    on_batch(scanned_batch{pos, h});
    pos += h.total_size();
    out.valid_end = pos;
    out.last_offset = h.last_offset();
    return true;
  };

  while (pos < file_size) {
    // Make sure the buffer holds at least the length prefix, then the whole batch.
    auto ensure = [&](size_t need) -> bool {
      if (pos + need <= buf_start + buf_len) {
        return true;
      }
      if (need > buf.size()) {
        buf.resize(need);
      }
      buf_start = pos;
      auto want = std::min<uint64_t>(buf.size(), file_size - pos);
      auto n = log.read_at(pos, std::span(buf).first(want));
      if (!n) {
        out.io_error = true;
        out.error = n.error();
      }
      buf_len = n ? *n : 0;
      return n && buf_len >= need;
    };
    if (!ensure(std::min<uint64_t>(L::header_size, file_size - pos)) ||
        file_size - pos < L::header_size) {
      return stop(protocol::batch_errc::truncated, true);
    }
    const std::byte* p = buf.data() + (pos - buf_start);
    auto length = be::load<int32_t>(p + L::batch_length);
    if (length >= static_cast<int32_t>(L::header_size - L::length_prefix) &&
        static_cast<uint64_t>(length) + L::length_prefix > file_size - pos &&
        static_cast<uint64_t>(length) + L::length_prefix <= max_torn_bytes) {
      return stop(protocol::batch_errc::truncated, true);  // the write was cut short
    }
    size_t total = std::clamp<size_t>(static_cast<size_t>(std::max(length, 0)) + L::length_prefix,
                                      L::header_size, max_batch_bytes);
    if (total > buffer_bytes) {
      // A batch larger than the buffer (or a damaged length that claims one): checked as it
      // streams through the buffer, so that a corrupt length costs no allocation of its size.
      if (!ensure(L::header_size)) {
        return stop(protocol::batch_errc::truncated, true);
      }
      p = buf.data() + (pos - buf_start);
      auto h = protocol::validate_batch_header(std::span<const std::byte>(p, L::header_size),
                                               max_batch_bytes, protocol::batch_origin::stored);
      if (!h) {
        return stop(h.error(), false);
      }
      if (h->total_size() > file_size - pos) {
        // Longer than any batch written (max_torn_bytes, checked above): damage, not a
        // write cut short.
        return stop(protocol::batch_errc::truncated, false);
      }
      uint32_t crc = 0;
      for (uint64_t at = pos + L::attributes; at < pos + h->total_size();) {
        auto chunk =
            std::span(buf).first(std::min<uint64_t>(buf.size(), pos + h->total_size() - at));
        auto n = log.read_at(at, chunk);
        if (!n) {
          out.io_error = true;
          out.error = n.error();
          return out;
        }
        if (*n != chunk.size()) {
          return stop(protocol::batch_errc::truncated, true);
        }
        crc = crc32c::extend(crc, chunk);
        at += chunk.size();
      }
      buf_len = 0;  // the buffer now holds the batch's last bytes, not what follows
      buf_start = pos;
      if (crc != h->crc) {
        return stop(protocol::batch_errc::bad_crc, false);
      }
      if (!accept(*h)) {
        return stop(errc::offsets_not_rising, false);
      }
      continue;
    }
    if (!ensure(std::min<uint64_t>(total, file_size - pos))) {
      return stop(protocol::batch_errc::truncated, true);
    }
    p = buf.data() + (pos - buf_start);
    auto avail = std::span<const std::byte>(p, buf_start + buf_len - pos);
    auto h = protocol::validate_batch(avail, max_batch_bytes, protocol::batch_origin::stored);
    if (!h) {
      return stop(h.error(), false);
    }
    if (!accept(*h)) {
      return stop(errc::offsets_not_rising, false);
    }
  }
  return out;
}

}  // namespace brook::storage
