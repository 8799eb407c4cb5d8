#include "storage/partition_log.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <future>
#include <limits>

#include "base/big_endian.h"
#include "base/clock.h"
#include "base/file.h"
#include "base/log.h"
#include "protocol/record_batch.h"
#include "storage/errc.h"
#include "storage/flusher.h"
#include "storage/log_file_names.h"

namespace brook::storage {
namespace L = protocol::batch_layout;

namespace {

std::optional<int64_t> read_log_start_offset(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string text;
  if (!in || !std::getline(in, text)) {
    return std::nullopt;
  }
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || v < 0) {
    return std::nullopt;
  }
  return v;
}

}  // namespace

partition_log::partition_log(std::filesystem::path dir, const log_config& config, flusher& flusher)
    : _dir(std::move(dir)), _flusher(flusher), _config(config) {}

partition_log::~partition_log() = default;

result<std::shared_ptr<partition_log>> partition_log::open(const std::filesystem::path& dir,
                                                           const log_config& config,
                                                           flusher& flusher, open_report* report) {
  auto started = std::chrono::steady_clock::now();
  if (auto st = config.validate(); !st) {
    return st.error();
  }
  std::error_code ec;
  bool created = std::filesystem::create_directories(dir, ec);
  if (ec) {
    return ec;
  }
  if (created) {
    if (auto st = sync_directory(dir.parent_path()); !st) {
      return st.error();
    }
  }
  std::vector<int64_t> bases;
  std::vector<int64_t> snapshots;
  std::vector<std::filesystem::path> leftovers;
  std::vector<int64_t> swaps;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    auto name = it->path().filename().string();
    auto base = names::parse_base_offset(name);
    if (auto log_base = names::parse_log_file(name)) {
      bases.push_back(*log_base);
    } else if (auto snapshot = names::parse_producer_snapshot_file(name)) {
      snapshots.push_back(*snapshot);
    } else if (name.ends_with(".tmp")) {
      leftovers.push_back(it->path());  // an interrupted atomic write
    } else if (base && it->path() == names::cleaned_file(dir, *base)) {
      leftovers.push_back(it->path());  // a cleaning interrupted before its commit point
    } else if (base && it->path() == names::swap_file(dir, *base)) {
      swaps.push_back(*base);  // a cleaning committed but not yet swapped in
    }
  }
  if (ec) {
    return ec;
  }
  for (const auto& p : leftovers) {
    std::filesystem::remove(p, ec);
  }
  for (int64_t base : swaps) {
    if (auto st = complete_swap(dir, base); !st) {
      return st.error();
    }
    if (std::find(bases.begin(), bases.end(), base) == bases.end()) {
      bases.push_back(base);
    }
  }
  std::sort(bases.begin(), bases.end());

  auto marker = dir / names::clean_shutdown_file;
  bool clean = std::filesystem::exists(marker, ec);
  if (clean) {
    // From here on the directory is not cleanly shut down, whatever happens next.
    std::filesystem::remove(marker, ec);
    if (ec) {
      return ec;
    }
  }

  std::shared_ptr<partition_log> log(new partition_log(dir, config, flusher));
  open_report local;
  local.clean_shutdown = clean;
  for (size_t i = 0; i < bases.size(); ++i) {
    segment_recovery rec;
    // After a crash the last segment's indexes are those of the last recovery checkpoint
    // (or of its creation): they describe durable bytes, and what follows their last entry
    // is read and checked, as for the segments before it.
    auto mode = clean ? segment::open_mode::clean : segment::open_mode::unclean;
    auto seg = segment::open(dir, bases[i], mode, config, rec);
    if (!seg) {
      return seg.error();
    }
    if (rec.quarantined) {
      log::error("{}: corrupt data in segment {} at byte {} ({}): {} bytes moved to {}",
                 dir.string(), bases[i], (*seg)->size(), rec.reason.message(), rec.truncated_bytes,
                 rec.quarantine_file.filename().string());
    } else if (rec.truncated_bytes > 0) {
      log::warn("{}: torn tail of segment {} cut at byte {} ({} bytes, {})", dir.string(), bases[i],
                (*seg)->size(), rec.truncated_bytes, rec.reason.message());
    }
    if (rec.index_rebuilt) {
      log::info("{}: index of segment {} rebuilt ({})", dir.string(), bases[i],
                rec.reason.message());
    }
    local.segments.emplace_back(bases[i], rec);
    log->_segments.push_back(std::move(seg).value());
  }

  auto checkpoint = read_log_start_offset(dir / names::log_start_offset_file);
  if (log->_segments.empty()) {
    auto seg = segment::create(dir, checkpoint.value_or(0));
    if (!seg) {
      return seg.error();
    }
    log->_segments.push_back(std::move(seg).value());
  }
  const auto& active = *log->_segments.back();
  log->_log_start_offset = std::max(checkpoint.value_or(0), log->_segments.front()->base_offset());
  log->_log_end_offset = active.next_offset();
  log->_high_watermark = log->_log_end_offset;
  log->_hw_segment_base = active.base_offset();
  log->_hw_position = active.size();
  log->_log_start_offset = std::min(log->_log_start_offset, log->_log_end_offset);
  if (clean) {
    // The clean close wrote the active segment's indexes and a producer snapshot.
    log->_checkpoint_base = active.base_offset();
    log->_checkpoint_size = active.size();
  }

  // A snapshot describes the log below its offset: one past the end of what recovery kept
  // of a segment it cut describes batches that are gone.
  int64_t trusted_end = log->_log_end_offset;
  for (size_t i = 0; i < local.segments.size(); ++i) {
    if (local.segments[i].second.truncated_bytes > 0) {
      trusted_end = std::min(trusted_end, log->_segments[i]->next_offset());
    }
  }
  if (auto st = log->load_producer_state(std::move(snapshots), trusted_end, local); !st) {
    return st.error();
  }

  local.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - started);
  if (report != nullptr) {
    *report = std::move(local);
  }
  return log;
}

log_config partition_log::config() const {
  std::shared_lock lock(_state_mutex);
  return _config;
}

status partition_log::load_producer_state(std::vector<int64_t> snapshots, int64_t trusted_end,
                                          open_report& report) {
  std::sort(snapshots.begin(), snapshots.end(), std::greater<>());
  std::optional<int64_t> loaded;
  bool removed = false;
  auto remove_snapshot = [&](int64_t offset) -> status {
    std::error_code ec;
    std::filesystem::remove(names::producer_snapshot_file(_dir, offset), ec);
    if (ec) {
      return ec;
    }
    removed = true;
    return {};
  };
  for (int64_t offset : snapshots) {
    if (offset > trusted_end) {
      // Taken before recovery cut the log back: it may name batches that are gone.
      log::warn("{}: producer snapshot {} is beyond the end of the recovered log ({}): removed",
                _dir.string(), offset, trusted_end);
      if (auto st = remove_snapshot(offset); !st) {
        return st;
      }
      continue;
    }
    if (!loaded) {
      auto state = producer_state::read_snapshot(_dir, offset);
      if (!state && state.error() == errc::bad_snapshot) {
        log::warn("{}: producer snapshot {} is corrupt: removed, state rebuilt from the log",
                  _dir.string(), offset);
        if (auto st = remove_snapshot(offset); !st) {
          return st;
        }
        continue;
      }
      if (!state) {
        log::warn("{}: cannot read producer snapshot {} ({}): state rebuilt from the log",
                  _dir.string(), offset, state.error().message());
      } else {
        _producers = std::move(state).value();
        loaded = offset;
      }
    }
    _snapshots.push_back(offset);
  }
  std::sort(_snapshots.begin(), _snapshots.end());
  if (removed) {
    // A removed snapshot must not come back after a crash, once the log grows past it.
    if (auto st = sync_directory(_dir); !st) {
      return st;
    }
  }

  // Replay the batch headers after the snapshot (the whole log without one).
  int64_t from = loaded.value_or(-1);
  report.producer_snapshot_offset = from;
  for (const auto& seg : _segments) {
    if (seg->empty() || seg->next_offset() <= from) {
      continue;
    }
    uint64_t start = 0;
    if (seg->base_offset() < from) {
      start = seg->index().floor_offset(static_cast<int32_t>(from - seg->base_offset())).position;
    }
    auto file = seg->open_log();
    if (!file) {
      return file.error();
    }
    seg->find_first(**file, start, seg->size(), [&](const protocol::batch_header& h) {
      if (h.base_offset >= from) {
        _producers.apply(h);
        ++report.producer_batches_scanned;
      }
      return false;
    });
  }
  if (from >= 0 || report.producer_batches_scanned > 0) {
    log::debug("{}: producer state: {} producers, from snapshot {} and {} batches after it",
               _dir.string(), _producers.size(), from, report.producer_batches_scanned);
  }
  return {};
}

status partition_log::snapshot_producer_state_locked() {
  int64_t offset = _log_end_offset;
  if (auto st = _producers.write_snapshot(_dir, offset); !st) {
    return st;
  }
  keep_snapshot_locked(offset);
  return {};
}

void partition_log::keep_snapshot_locked(int64_t offset) {
  auto at = std::lower_bound(_snapshots.begin(), _snapshots.end(), offset);
  if (at == _snapshots.end() || *at != offset) {
    _snapshots.insert(at, offset);
  }
  // Keep the previous snapshot too, to fall back on if this one is found damaged.
  while (_snapshots.size() > 2) {
    std::error_code ec;
    std::filesystem::remove(names::producer_snapshot_file(_dir, _snapshots.front()), ec);
    if (ec) {
      log::warn("{}: cannot remove producer snapshot {}: {}", _dir.string(), _snapshots.front(),
                ec.message());
      break;
    }
    _snapshots.erase(_snapshots.begin());
  }
}

std::optional<producer_entry> partition_log::producer(int64_t producer_id) const {
  std::lock_guard append_lock(_append_mutex);
  if (const auto* e = _producers.find(producer_id)) {
    return *e;
  }
  return std::nullopt;
}

std::vector<producer_entry> partition_log::producers() const {
  std::lock_guard append_lock(_append_mutex);
  return _producers.entries();
}

status partition_log::set_config(const log_config& config) {
  if (auto st = config.validate(); !st) {
    return st;
  }
  std::lock_guard append_lock(_append_mutex);
  std::unique_lock lock(_state_mutex);
  _config = config;
  return {};
}

void partition_log::append(std::span<std::byte> batches, append_options options,
                           append_callback done) {
  result<append_result> written = errc::log_closed;
  enum durability mode;
  std::chrono::milliseconds interval;
  {
    std::lock_guard append_lock(_append_mutex);
    if (_closed) {
      written = errc::log_closed;
    } else if (auto failure = [this] {
                 std::shared_lock lock(_state_mutex);
                 return _failure;
               }()) {
      written = failure;
    } else {
      written = write_locked(batches, options);
    }
    mode = _config.durability;
    interval = _config.flush_interval;
  }
  if (!written) {
    done(std::move(written));
    return;
  }
  if (mode == durability::interval) {
    _flusher.schedule(shared_from_this(), interval);
    done(std::move(written));
    return;
  }
  _flusher.sync(shared_from_this(),
                [written = std::move(written).value(), done = std::move(done)](status st) {
                  if (st) {
                    done(written);
                  } else {
                    done(st.error());
                  }
                });
}

result<append_result> partition_log::append_and_wait(std::span<std::byte> batches,
                                                     append_options options) {
  std::promise<result<append_result>> promise;
  auto future = promise.get_future();
  append(batches, options,
         [&promise](result<append_result> r) { promise.set_value(std::move(r)); });
  return future.get();
}

result<append_result> partition_log::write_locked(std::span<std::byte> batches,
                                                  append_options options) {
  if (batches.empty()) {
    return errc::empty_append;
  }
  auto now = clock::now();
  int64_t now_millis = epoch_ms(now);
  // Validate every batch before touching anything.
  std::vector<appended_batch> parsed;
  std::vector<protocol::batch_header> headers;
  size_t pos = 0;
  while (pos < batches.size()) {
    auto rest = batches.subspan(pos);
    auto h = protocol::validate_batch(rest, _config.max_message_bytes);
    if (!h) {
      if (h.error() == protocol::batch_errc::too_large) {
        return errc::batch_too_large;  // max.message.bytes: Kafka's MESSAGE_TOO_LARGE
      }
      return h.error();
    }
    parsed.push_back(
        appended_batch{pos, 0, h->last_offset_delta, h->max_timestamp, h->total_size()});
    headers.push_back(*h);
    pos += h->total_size();
  }
  int64_t offsets = 0;
  for (const auto& b : parsed) {
    offsets += b.last_offset + 1;  // last_offset holds the batch's offset delta here
  }
  // Relative offsets and positions in a segment are int32: one append stays well inside.
  if (batches.size() > std::numeric_limits<int32_t>::max() / 2 ||
      offsets > std::numeric_limits<int32_t>::max() / 2) {
    return errc::batch_too_large;
  }

  // Idempotent producers: refuse what is out of sequence or fenced, answer retries with
  // the offsets they got the first time.
  auto checked = _producers.check(headers);
  if (!checked) {
    return checked.error();
  }
  if (checked->duplicate) {
    const auto& original = checked->original;
    return append_result{original.first_offset, original.last_offset,
                         options.log_append_time ? original.max_timestamp : -1, true};
  }

  // Roll first if the batches do not belong in the active segment.
  {
    const segment& active = *_segments.back();
    bool full = active.size() + batches.size() > _config.segment_bytes;
    // As in Kafka, a segment's age is the new batch's timestamp minus its first batch's.
    int64_t incoming = options.log_append_time ? now_millis : parsed.front().max_timestamp;
    int64_t age = 0;
    bool old = active.roll_base_ms() >= 0 &&
               !__builtin_sub_overflow(incoming, active.roll_base_ms(), &age) &&
               age >= _config.segment_ms.count();
    bool offsets_overflow =
        _log_end_offset + offsets - active.base_offset() > std::numeric_limits<int32_t>::max();
    if (!active.empty() && (full || old || offsets_overflow)) {
      if (auto st = roll_locked(); !st) {
        return st.error();
      }
    }
  }

  // Assign offsets in place: base offsets are outside the CRC, so nothing is re-encoded.
  int64_t next = _log_end_offset;
  for (auto& b : parsed) {
    auto batch = batches.subspan(b.buffer_position, b.size);
    protocol::set_base_offset(batch, next);
    if (options.log_append_time) {
      protocol::set_log_append_time(batch, now_millis);
      b.max_timestamp = now_millis;
    }
    b.base_offset = next;
    b.last_offset = next + b.last_offset;  // held the delta until here
    next = b.last_offset + 1;
  }

  auto& active = _segments.back();
  if (auto st = active->write_batches(batches); !st) {
    return st.error();
  }
  std::vector<std::function<void()>> wakes;
  {
    std::unique_lock lock(_state_mutex);
    active->publish(batches.size(), parsed, _config.index_interval_bytes);
    _log_end_offset = next;
    if (_config.durability == durability::interval) {
      advance_high_watermark_locked(next, active->base_offset(), active->size(), wakes);
    }
  }
  for (auto& w : wakes) {
    w();
  }
  for (size_t i = 0; i < parsed.size(); ++i) {
    headers[i].base_offset = parsed[i].base_offset;
    headers[i].max_timestamp = parsed[i].max_timestamp;
    _producers.apply(headers[i]);
  }
  return append_result{parsed.front().base_offset, parsed.back().last_offset,
                       options.log_append_time ? now_millis : -1};
}

status partition_log::roll_locked() {
  auto& old = _segments.back();
  // The log is made durable first, so neither the indexes written below nor the producer
  // snapshot at the new segment's base ever name batches that a power loss could take away.
  if (auto st = flush(); !st) {
    return st;
  }
  {
    std::unique_lock lock(_state_mutex);
    old->seal_time_index();
  }
  {
    std::lock_guard files(_index_files_mutex);
    ++_index_generation;
    if (auto st = old->write_indexes(); !st) {
      return st;
    }
  }
  if (auto st = snapshot_producer_state_locked(); !st) {
    // Not fatal: the state is rebuilt on open from an older snapshot and the log after it.
    log::warn("{}: cannot write producer snapshot {}: {}", _dir.string(), _log_end_offset,
              st.error().message());
  }
  auto seg = segment::create(_dir, _log_end_offset);
  if (!seg) {
    return seg.error();
  }
  std::unique_lock lock(_state_mutex);
  _segments.push_back(std::move(seg).value());
  return {};
}

void partition_log::advance_high_watermark_locked(int64_t offset, int64_t segment_base,
                                                  uint64_t position,
                                                  std::vector<std::function<void()>>& wakes) {
  if (offset <= _high_watermark) {
    return;
  }
  _high_watermark = offset;
  _hw_segment_base = segment_base;
  _hw_position = position;
  for (auto it = _waiters.begin(); it != _waiters.end();) {
    if (it->second.offset < offset) {
      wakes.push_back(std::move(it->second.wake));
      it = _waiters.erase(it);
    } else {
      ++it;
    }
  }
}

status partition_log::flush() {
  struct to_sync {
    std::shared_ptr<segment> seg;
    uint64_t size;
  };
  std::vector<to_sync> work;
  int64_t end = 0;
  int64_t hw_base = 0;
  uint64_t hw_position = 0;
  {
    std::shared_lock lock(_state_mutex);
    if (_failure) {
      return _failure;
    }
    end = _log_end_offset;
    hw_base = _segments.back()->base_offset();
    hw_position = _segments.back()->size();
    for (const auto& s : _segments) {
      if (s->synced_size() < s->size()) {
        work.push_back({s, s->size()});
      }
    }
  }
  for (auto& w : work) {
    if (auto st = w.seg->sync(w.size); !st) {
      if (st.error() == std::errc::too_many_files_open ||
          st.error() == std::errc::too_many_files_open_in_system) {
        // The evicted file could not be opened again to sync it: nothing was lost, the
        // next flush tries again.
        return st;
      }
      std::unique_lock lock(_state_mutex);
      // After a failed fdatasync the kernel may have dropped the dirty pages: what the
      // file holds is unknown, so the log takes no more writes until it is reopened.
      _failure = st.error();
      log::error("{}: flush failed, log refuses writes until reopened: {}", _dir.string(),
                 st.error().message());
      return st;
    }
  }
  std::vector<std::function<void()>> wakes;
  {
    std::unique_lock lock(_state_mutex);
    if (_failure) {
      // Another flush of this log failed meanwhile: Linux reports a writeback error to one
      // fdatasync only, so this one's success proves nothing.
      return _failure;
    }
    // In interval mode the high watermark is already there; after a switch from sync
    // mode this catches up what was flushed.
    advance_high_watermark_locked(end, hw_base, hw_position, wakes);
  }
  for (auto& w : wakes) {
    w();
  }
  return {};
}

status partition_log::close() {
  std::lock_guard append_lock(_append_mutex);
  if (_closed) {
    return {};
  }
  _closed = true;
  {
    // A checkpoint that copied the indexes before this close must not write them now,
    // even if the flush below fails (the directory may be removed right after).
    std::lock_guard files(_index_files_mutex);
    ++_index_generation;
  }
  if (auto st = flush(); !st) {
    return st;
  }
  std::shared_ptr<segment> active;
  {
    std::unique_lock lock(_state_mutex);
    active = _segments.back();
    active->seal_time_index();
  }
  {
    std::lock_guard files(_index_files_mutex);
    ++_index_generation;
    if (auto st = active->write_indexes(); !st) {
      return st;
    }
  }
  if (auto st = snapshot_producer_state_locked(); !st) {
    return st;
  }
  auto marker = file::open(_dir / names::clean_shutdown_file, file::mode::create_read_write);
  if (!marker) {
    return marker.error();
  }
  return sync_directory(_dir);
}

status partition_log::complete_swap(const std::filesystem::path& dir, int64_t base) {
  // The old indexes first: they describe the old file, and a crash before the new ones
  // are written must leave none (recovery rebuilds missing ones) rather than stale ones.
  std::error_code ec;
  for (const auto& p : {names::index_file(dir, base), names::time_index_file(dir, base)}) {
    std::filesystem::remove(p, ec);
    if (ec) {
      return ec;
    }
  }
  if (auto st = sync_directory(dir); !st) {
    return st;
  }
  std::filesystem::rename(names::swap_file(dir, base), names::log_file(dir, base), ec);
  if (ec) {
    return ec;
  }
  return sync_directory(dir);
}

std::vector<std::shared_ptr<segment>> partition_log::sealed_segments() const {
  std::shared_lock lock(_state_mutex);
  return {_segments.begin(), _segments.end() - 1};
}

result<bool> partition_log::replace_with_cleaned(const std::shared_ptr<segment>& old) {
  std::lock_guard append_lock(_append_mutex);
  int64_t base = old->base_offset();
  bool present = false;
  {
    std::shared_lock lock(_state_mutex);
    present =
        !_closed && std::find(_segments.begin(), _segments.end() - 1, old) != _segments.end() - 1;
  }
  if (!present) {
    // Retention deleted it (or the log closed) while it was cleaned: the cleaned copy
    // must not bring it back.
    std::error_code ec;
    std::filesystem::remove(names::swap_file(_dir, base), ec);
    return false;
  }
  if (auto st = complete_swap(_dir, base); !st) {
    return st.error();
  }
  segment_recovery rec;
  auto seg = segment::open(_dir, base, segment::open_mode::full_scan, _config, rec);
  if (!seg) {
    return seg.error();
  }
  {
    std::unique_lock lock(_state_mutex);
    (*seg)->seal_time_index();
  }
  {
    std::lock_guard files(_index_files_mutex);
    if (auto st = (*seg)->write_indexes(); !st) {
      return st.error();
    }
  }
  std::unique_lock lock(_state_mutex);
  auto it = std::find(_segments.begin(), _segments.end(), old);
  *it = std::move(seg).value();
  _log_start_offset = std::max(_log_start_offset, _segments.front()->base_offset());
  return true;
}

result<bool> partition_log::checkpoint() {
  // Under the append mutex: make everything written durable and copy what describes it.
  std::shared_ptr<segment> active;
  segment::index_files indexes;
  std::string producers;
  int64_t producers_offset = 0;
  uint64_t size = 0;
  uint64_t generation = 0;
  {
    std::lock_guard append_lock(_append_mutex);
    if (_closed) {
      return false;
    }
    if (auto st = flush(); !st) {
      return st.error();
    }
    {
      std::shared_lock lock(_state_mutex);
      active = _segments.back();
      size = active->size();
      if (active->base_offset() == _checkpoint_base && size == _checkpoint_size) {
        return false;
      }
      indexes = active->encode_indexes();
      producers_offset = _log_end_offset;
    }
    producers = _producers.encode(producers_offset);
    std::lock_guard files(_index_files_mutex);
    generation = _index_generation;
  }
  // Without it: write the files. A roll or close meanwhile wrote complete indexes, which
  // this older copy must not replace.
  {
    std::lock_guard files(_index_files_mutex);
    if (generation != _index_generation) {
      return false;
    }
    if (auto st = active->write_index_files(indexes); !st) {
      return st.error();
    }
    if (auto st =
            write_file_atomically(names::producer_snapshot_file(_dir, producers_offset), producers);
        !st) {
      return st.error();
    }
  }
  std::lock_guard append_lock(_append_mutex);
  keep_snapshot_locked(producers_offset);
  _checkpoint_base = active->base_offset();
  _checkpoint_size = size;
  return true;
}

uint64_t partition_log::visible_limit_locked(const segment& s) const {
  if (s.base_offset() < _hw_segment_base) {
    return s.size();
  }
  if (s.base_offset() == _hw_segment_base) {
    return _hw_position;
  }
  return 0;
}

result<file_range> partition_log::read(int64_t offset, size_t max_bytes,
                                       oversized_first_batch oversized) const {
  std::shared_lock lock(_state_mutex);
  if (offset < _log_start_offset || offset > _high_watermark) {
    return errc::offset_out_of_range;
  }
  if (offset == _high_watermark) {
    return file_range{};
  }
  auto it = std::upper_bound(_segments.begin(), _segments.end(), offset,
                             [](int64_t o, const auto& s) { return o < s->base_offset(); });
  if (it != _segments.begin()) {
    --it;
  }
  for (; it != _segments.end(); ++it) {
    const auto& seg = *it;
    if (seg->base_offset() > _hw_segment_base) {
      break;  // beyond the high watermark
    }
    uint64_t limit = visible_limit_locked(*seg);
    if (limit == 0) {
      continue;  // an empty segment below the high watermark
    }
    int64_t rel = std::max<int64_t>(0, offset - seg->base_offset());
    uint64_t start = seg->index().floor_offset(static_cast<int32_t>(rel)).position;
    auto file = seg->open_log();
    if (!file) {
      return file.error();
    }
    auto found = seg->find_first(**file, start, limit, [offset](const protocol::batch_header& h) {
      return h.last_offset() >= offset;
    });
    if (!found) {
      continue;
    }
    uint64_t pos = found->first;
    uint64_t end = seg->batch_aligned_end(**file, pos, pos + max_bytes, limit,
                                          oversized == oversized_first_batch::returned);
    int fd = (*file)->fd();
    return file_range{std::move(file).value(), fd, pos, end - pos};
  }
  return file_range{};
}

std::optional<int64_t> partition_log::offset_for_timestamp(int64_t timestamp) const {
  std::shared_lock lock(_state_mutex);
  for (const auto& seg : _segments) {
    if (seg->base_offset() > _hw_segment_base) {
      break;  // beyond the high watermark
    }
    uint64_t limit = visible_limit_locked(*seg);
    if (limit == 0) {
      continue;  // an empty segment below the high watermark
    }
    if (seg->max_timestamp() < timestamp) {
      continue;
    }
    uint64_t start = 0;
    if (const auto* e = seg->timestamps().floor_below(timestamp)) {
      start = seg->index().floor_offset(e->relative_offset).position;
    }
    auto file = seg->open_log();
    if (!file) {
      log::warn("{}: cannot open segment {} to look up a timestamp: {}", _dir.string(),
                seg->base_offset(), file.error().message());
      return std::nullopt;
    }
    auto found = seg->find_first(
        **file, start, limit,
        [timestamp](const protocol::batch_header& h) { return h.max_timestamp >= timestamp; });
    if (found) {
      return std::max(found->second.base_offset, _log_start_offset);
    }
  }
  return std::nullopt;
}

std::optional<std::pair<int64_t, int64_t>> partition_log::max_timestamp() const {
  std::shared_lock lock(_state_mutex);
  std::optional<std::pair<int64_t, int64_t>> best;
  for (const auto& seg : _segments) {
    if (!seg->empty() && (!best || seg->max_timestamp() > best->first)) {
      best = std::pair{seg->max_timestamp(), seg->offset_of_max_timestamp()};
    }
  }
  return best;
}

int64_t partition_log::log_start_offset() const {
  std::shared_lock lock(_state_mutex);
  return _log_start_offset;
}
int64_t partition_log::high_watermark() const {
  std::shared_lock lock(_state_mutex);
  return _high_watermark;
}
int64_t partition_log::log_end_offset() const {
  std::shared_lock lock(_state_mutex);
  return _log_end_offset;
}
uint64_t partition_log::size_bytes() const {
  std::shared_lock lock(_state_mutex);
  uint64_t total = 0;
  for (const auto& s : _segments) {
    total += s->size();
  }
  return total;
}
size_t partition_log::segment_count() const {
  std::shared_lock lock(_state_mutex);
  return _segments.size();
}

status partition_log::persist_log_start_offset(int64_t offset) const {
  return write_file_atomically(_dir / names::log_start_offset_file, std::to_string(offset) + "\n");
}

status partition_log::delete_records_before(int64_t offset) {
  std::lock_guard append_lock(_append_mutex);
  {
    std::shared_lock lock(_state_mutex);
    if (offset > _high_watermark || offset < 0) {
      return errc::offset_out_of_range;
    }
    if (offset <= _log_start_offset) {
      return {};
    }
  }
  if (auto st = persist_log_start_offset(offset); !st) {
    return st;
  }
  std::vector<std::shared_ptr<segment>> victims;
  {
    std::unique_lock lock(_state_mutex);
    _log_start_offset = offset;
    while (_segments.size() > 1 && _segments[1]->base_offset() <= offset) {
      victims.push_back(_segments.front());
      _segments.erase(_segments.begin());
    }
  }
  for (const auto& v : victims) {
    if (auto st = v->remove_files(); !st) {
      log::warn("{}: cannot remove segment {}: {}", _dir.string(), v->base_offset(),
                st.error().message());
    }
  }
  return {};
}

result<retention_report> partition_log::enforce_retention(clock::time_point now) {
  std::lock_guard append_lock(_append_mutex);
  std::vector<std::shared_ptr<segment>> victims;
  {
    std::unique_lock lock(_state_mutex);
    uint64_t total = 0;
    for (const auto& s : _segments) {
      total += s->size();
    }
    int64_t now_millis = epoch_ms(now);
    while (_segments.size() > 1) {
      const auto& s = _segments.front();
      bool expired = _config.retention_ms.count() >= 0 && !s->empty() &&
                     s->max_timestamp() < now_millis - _config.retention_ms.count();
      bool over_size = _config.retention_bytes >= 0 &&
                       total - s->size() >= static_cast<uint64_t>(_config.retention_bytes);
      // Never drop what readers cannot see yet (beyond the high watermark).
      bool visible = s->base_offset() < _hw_segment_base;
      if (!visible || !(expired || over_size || s->empty())) {
        break;
      }
      total -= s->size();
      victims.push_back(s);
      _segments.erase(_segments.begin());
    }
    _log_start_offset = std::max(_log_start_offset, _segments.front()->base_offset());
  }
  retention_report report;
  for (const auto& v : victims) {
    report.segments_deleted++;
    report.bytes_deleted += v->size();
    if (auto st = v->remove_files(); !st) {
      log::warn("{}: cannot remove segment {}: {}", _dir.string(), v->base_offset(),
                st.error().message());
    }
  }
  return report;
}

uint64_t partition_log::wait_for_data(int64_t offset, std::function<void()> wake) {
  std::unique_lock lock(_state_mutex);
  if (_high_watermark > offset) {
    return 0;
  }
  uint64_t id = _next_waiter++;
  _waiters.emplace(id, waiter{offset, std::move(wake)});
  return id;
}

void partition_log::cancel_wait(uint64_t id) {
  std::unique_lock lock(_state_mutex);
  _waiters.erase(id);
}

}  // namespace brook::storage
