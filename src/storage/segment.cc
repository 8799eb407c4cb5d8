#include "storage/segment.h"

#include <algorithm>
#include <vector>

#include "base/log.h"
#include "storage/errc.h"
#include "storage/log_file_names.h"
#include "storage/segment_scanner.h"

namespace brook::storage {
namespace L = protocol::batch_layout;

segment::segment(std::filesystem::path dir, int64_t base_offset, file log)
    : _dir(std::move(dir)),
      _base_offset(base_offset),
      _log(names::log_file(_dir, base_offset), std::move(log), open_file_cache::process()),
      _next_offset(base_offset) {}

result<std::shared_ptr<segment>> segment::create(const std::filesystem::path& dir,
                                                 int64_t base_offset) {
  auto log = file::open(names::log_file(dir, base_offset), file::mode::create_read_write);
  if (!log) {
    return log.error();
  }
  auto size = log->size();
  if (!size) {
    return size.error();
  }
  BROOK_ASSERT(*size == 0, "a new segment's file must not exist with data");
  std::shared_ptr<segment> s(new segment(dir, base_offset, std::move(log).value()));
  // The index files, then the names made durable. On failure the new files go again, so
  // no empty segment is left behind to claim offsets on the next open.
  status st = s->write_indexes();
  if (st) {
    st = sync_directory(dir);
  }
  if (!st) {
    (void)s->remove_files();
    return st.error();
  }
  return s;
}

namespace {

// Copies [from, size) of `log` to a new `<base>.log.corrupt[.N]` file, durably.
result<std::filesystem::path> quarantine(const file& log, const std::filesystem::path& dir,
                                         int64_t base_offset, uint64_t from, uint64_t size) {
  auto path = names::log_file(dir, base_offset);
  path += names::corrupt_suffix;
  for (int n = 1; std::filesystem::exists(path); ++n) {
    path = names::log_file(dir, base_offset);
    path += std::string(names::corrupt_suffix) + "." + std::to_string(n);
  }
  auto out = file::open(path, file::mode::create_read_write);
  if (!out) {
    return out.error();
  }
  std::vector<std::byte> buf(std::min<uint64_t>(1024 * 1024, size - from));
  uint64_t at = from;
  while (at < size) {
    auto n = log.read_at(at, std::span(buf).first(std::min<uint64_t>(buf.size(), size - at)));
    if (!n) {
      return n.error();
    }
    if (*n == 0) {
      break;
    }
    if (auto st = out->write_at(at - from, std::span(buf).first(*n)); !st) {
      return st.error();
    }
    at += *n;
  }
  if (auto st = out->datasync(); !st) {
    return st.error();
  }
  if (auto st = sync_directory(dir); !st) {
    return st.error();
  }
  return path;
}

}  // namespace

result<std::shared_ptr<segment>> segment::open(const std::filesystem::path& dir,
                                               int64_t base_offset, open_mode mode,
                                               const log_config& config, segment_recovery& report) {
  auto log = file::open(names::log_file(dir, base_offset), file::mode::read_write);
  if (!log) {
    return log.error();
  }
  auto file_size = log->size();
  if (!file_size) {
    return file_size.error();
  }
  std::shared_ptr<segment> s(new segment(dir, base_offset, std::move(log).value()));
  auto held = s->open_log();
  if (!held) {
    return held.error();
  }
  const file& f = **held;
  size_t max_batch = std::max<size_t>(config.max_message_bytes, config.segment_bytes);

  // The fast path: trust the indexes (after checks) and read only what follows the last
  // offset index entry. Any doubt sends us to the full scan below.
  bool full_scan = mode == open_mode::full_scan;
  scan_outcome outcome;
  if (!full_scan) {
    auto index = offset_index::load(names::index_file(dir, base_offset), *file_size);
    auto times = time_index::load(names::time_index_file(dir, base_offset),
                                  std::numeric_limits<int32_t>::max());
    uint64_t scan_from = 0;
    if (!index || !times) {
      report.reason = !index ? index.error() : times.error();
      full_scan = true;
    } else if (!index->empty()) {
      auto e = index->entries().back();
      auto h = read_header(f, e.position);
      if (!h || h->last_offset() != base_offset + e.relative_offset) {
        report.reason = errc::bad_index;
        full_scan = true;
      }
      scan_from = e.position;
    }
    if (!full_scan) {
      s->_index = std::move(index).value();
      s->_time_index = std::move(times).value();
      if (const auto* t = s->_time_index.last()) {
        s->_max_timestamp = t->timestamp;
        s->_offset_of_max_timestamp = base_offset + t->relative_offset;
      }
      outcome = scan_segment(
          f, scan_from, *file_size, base_offset - 1, max_batch, config.max_message_bytes,
          [&](const scanned_batch& b) {
            bool indexed = scan_from > 0 && b.position == scan_from;
            s->note_batch(b.position, b.header.last_offset(), b.header.max_timestamp,
                          indexed ? 0 : b.header.total_size(), config.index_interval_bytes);
            if (indexed) {
              s->_bytes_since_index_entry = b.header.total_size();
            }
          });
      if (outcome.io_error) {
        return outcome.error;
      }
      const auto* last_time = s->_time_index.last();
      bool stale_time_index =
          last_time != nullptr && base_offset + last_time->relative_offset > outcome.last_offset;
      report.scanned_bytes = *file_size - scan_from;
      // After a crash a torn write after the last index entry is expected: it is cut like
      // one found by a full scan. Anything else in the tail (a whole batch that does not
      // check out, or a tail after a clean shutdown), or a time index that points past the
      // log: validate the whole segment instead.
      bool expected = mode == open_mode::unclean && outcome.torn_tail;
      if ((outcome.error && !expected) || stale_time_index) {
        full_scan = true;
      }
    }
    if (full_scan) {
      report.index_rebuilt = true;
    }
  }
  if (full_scan) {
    s->_index = offset_index{};
    s->_time_index = time_index{};
    s->_max_timestamp = -1;
    s->_offset_of_max_timestamp = -1;
    s->_bytes_since_index_entry = 0;
    report.scanned = true;
    report.scanned_bytes = *file_size;
    outcome =
        scan_segment(f, 0, *file_size, base_offset - 1, max_batch, config.max_message_bytes,
                     [&](const scanned_batch& b) {
                       s->note_batch(b.position, b.header.last_offset(), b.header.max_timestamp,
                                     b.header.total_size(), config.index_interval_bytes);
                     });
    if (outcome.io_error) {
      return outcome.error;
    }
  }
  if (outcome.error) {
    report.reason = outcome.error;
    report.truncated_bytes = *file_size - outcome.valid_end;
    if (!outcome.torn_tail) {
      // A whole batch is bad and data may follow it: keep the bytes for the operator.
      auto kept = quarantine(f, dir, base_offset, outcome.valid_end, *file_size);
      if (!kept) {
        return kept.error();
      }
      report.quarantine_file = *kept;
      report.quarantined = true;
    }
    if (auto st = f.truncate(outcome.valid_end); !st) {
      return st.error();
    }
  }
  s->_size = outcome.valid_end;
  s->_next_offset = outcome.last_offset >= base_offset ? outcome.last_offset + 1 : base_offset;
  if (mode != open_mode::clean || report.scanned || outcome.error) {
    // What the last process wrote may be only in the page cache: make it durable before
    // anything new is acknowledged on top of it.
    if (auto st = f.datasync(); !st) {
      return st.error();
    }
  }
  s->_synced_size.store(s->_size);
  if (report.index_rebuilt) {
    s->seal_time_index();
    if (auto st = s->write_indexes(); !st) {
      return st.error();
    }
  }
  if (s->_size > 0) {
    auto first = read_header(f, 0);
    s->_roll_base_ms = first ? first->max_timestamp : -1;
  }
  return s;
}

void segment::seal_time_index() {
  seal(_time_index);
}

void segment::seal(time_index& index) const {
  const auto* last = index.last();
  if (_max_timestamp >= 0 && (last == nullptr || _max_timestamp > last->timestamp)) {
    index.add(_max_timestamp, static_cast<int32_t>(_offset_of_max_timestamp - _base_offset));
  }
}

void segment::note_batch(uint64_t position, int64_t last_offset, int64_t max_timestamp,
                         uint64_t size, uint32_t index_interval_bytes) {
  if (_bytes_since_index_entry >= index_interval_bytes) {
    _index.add(static_cast<int32_t>(last_offset - _base_offset), static_cast<uint32_t>(position));
    _bytes_since_index_entry = 0;
    const auto* last = _time_index.last();
    auto relative = static_cast<int32_t>(last_offset - _base_offset);
    // A loaded time index that runs ahead of the log is caught after the scan (and
    // rebuilt); until then never add an entry that would not rise.
    if (max_timestamp > _max_timestamp &&
        (last == nullptr ||
         (max_timestamp > last->timestamp && relative >= last->relative_offset))) {
      _time_index.add(max_timestamp, relative);
    }
  }
  _bytes_since_index_entry += size;
  if (max_timestamp > _max_timestamp) {
    _max_timestamp = max_timestamp;
    _offset_of_max_timestamp = last_offset;
  }
  _next_offset = last_offset + 1;
}

status segment::write_batches(std::span<const std::byte> bytes) const {
  auto log = _log.get();
  if (!log) {
    return log.error();
  }
  auto st = (*log)->write_at(_size, bytes);
  if (!st) {
    // Undo a partial write so the file ends at the last published batch.
    auto undo = (*log)->truncate(_size);
    if (!undo) {
      log::error("segment {}: cannot undo a failed write: {}",
                 names::log_file(_dir, _base_offset).string(), undo.error().message());
    }
  }
  return st;
}

void segment::publish(uint64_t bytes, std::span<const appended_batch> batches,
                      uint32_t index_interval_bytes) {
  if (_size == 0 && !batches.empty()) {
    // Like Kafka, a segment's age for segment.ms counts from its first batch's timestamp.
    _roll_base_ms = batches.front().max_timestamp;
  }
  for (const auto& b : batches) {
    note_batch(_size + b.buffer_position, b.last_offset, b.max_timestamp, b.size,
               index_interval_bytes);
  }
  _size += bytes;
}

status segment::sync(uint64_t size) {
  if (synced_size() >= size) {
    return {};
  }
  auto log = _log.get();
  if (!log) {
    return log.error();
  }
  if (auto st = (*log)->datasync(); !st) {
    return st;
  }
  uint64_t prev = _synced_size.load();
  while (prev < size && !_synced_size.compare_exchange_weak(prev, size)) {
  }
  return {};
}

status segment::write_indexes() const {
  // Atomically and time index first, as a checkpoint writes them: recovery trusts the
  // index files of the last segment, so a crash in the middle must leave the old pair or
  // a time index ahead of the offset index, never a new offset index beside a stale time
  // index.
  return write_index_files(encode_indexes());
}

segment::index_files segment::encode_indexes() const {
  time_index sealed = _time_index;
  seal(sealed);
  return {_index.encode(), sealed.encode()};
}

status segment::write_index_files(const index_files& files) const {
  if (auto st = write_file_atomically(names::time_index_file(_dir, _base_offset), files.timestamps);
      !st) {
    return st;
  }
  return write_file_atomically(names::index_file(_dir, _base_offset), files.offsets);
}

std::optional<protocol::batch_header> segment::read_header(const file& log, uint64_t position) {
  std::array<std::byte, L::header_size> buf{};
  auto n = log.read_at(position, buf);
  if (!n || *n != buf.size()) {
    return std::nullopt;
  }
  return protocol::batch_header::decode(buf);
}

uint64_t segment::batch_aligned_end(const file& log, uint64_t start, uint64_t end, uint64_t limit,
                                    bool first_batch_always) const {
  if (end >= limit) {
    return limit;
  }
  uint64_t pos = std::max<uint64_t>(start, _index.floor_position(end).position);
  while (pos < limit) {
    auto h = read_header(log, pos);
    if (!h || h->batch_length <= 0) {
      return pos;
    }
    uint64_t next = pos + h->total_size();
    if (next > end && (pos != start || !first_batch_always)) {
      return pos;
    }
    pos = next;
    if (pos >= end) {
      return std::min(pos, limit);
    }
  }
  return std::min(pos, limit);
}

status segment::remove_files() const {
  std::error_code first;
  for (const auto& p :
       {names::log_file(_dir, _base_offset), names::index_file(_dir, _base_offset),
        names::time_index_file(_dir, _base_offset), names::txn_index_file(_dir, _base_offset)}) {
    std::error_code ec;
    std::filesystem::remove(p, ec);
    if (ec && !first) {
      first = ec;
    }
  }
  if (first) {
    return first;
  }
  return {};
}

}  // namespace brook::storage
