// Appends, reads, retention and flushing; opening, recovery checkpoints and the cleaner's
// swaps are in partition_log_recovery.cc.
#include "storage/partition_log.h"

#include <algorithm>
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

partition_log::partition_log(std::filesystem::path dir, const log_config& config, flusher& flusher)
    : _dir(std::move(dir)), _flusher(flusher), _config(config) {}

partition_log::~partition_log() = default;

log_config partition_log::config() const {
  std::shared_lock lock(_state_mutex);
  return _config;
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

void partition_log::append(std::span<std::byte> batches, const append_options& options,
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
  // A marker is acknowledged durable whatever the log's mode: the coordinator counts a
  // transaction complete once its markers are, and would never write a lost one again.
  if (mode == durability::interval && !options.markers) {
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
                                                     const append_options& options) {
  std::promise<result<append_result>> promise;
  auto future = promise.get_future();
  append(batches, options,
         [&promise](result<append_result> r) { promise.set_value(std::move(r)); });
  return future.get();
}

result<append_result> partition_log::write_locked(std::span<std::byte> batches,
                                                  const append_options& options) {
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
  producer_check checked_batches;
  for (const auto& h : headers) {
    if (h.control() != options.markers) {
      // Markers come from the coordinator only, alone.
      return options.markers ? errc::invalid_sequence : errc::control_batch_refused;
    }
    if (options.markers) {
      if (auto st = _producers.check_marker(h); !st) {
        return st.error();
      }
    }
  }
  if (options.admit) {
    // Checked under the append mutex, so that no marker can come between the check and
    // the write (a late transactional batch would open a transaction nobody ends).
    for (const auto& h : headers) {
      if (!options.admit(h)) {
        return errc::transaction_refused;
      }
    }
  }
  if (!options.markers) {
    auto checked = _producers.check(headers);
    if (!checked) {
      return checked.error();
    }
    checked_batches = *checked;
  }
  if (const auto* checked = &checked_batches; checked->duplicate) {
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
    // A compacted log also rolls by max.compaction.lag.ms: only sealed segments are cleaned.
    int64_t roll_ms = _config.cleanup_compact
                          ? std::min(_config.segment_ms.count(), _config.max_compaction_lag_ms)
                          : _config.segment_ms.count();
    bool old = active.roll_base_ms() >= 0 &&
               !__builtin_sub_overflow(incoming, active.roll_base_ms(), &age) && age >= roll_ms;
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
  for (size_t i = 0; i < parsed.size(); ++i) {
    headers[i].base_offset = parsed[i].base_offset;
    headers[i].max_timestamp = parsed[i].max_timestamp;
  }
  if (auto st = apply_transactions_locked(batches, headers, active->base_offset()); !st) {
    std::unique_lock lock(_state_mutex);
    _failure = st.error();
    log::error("{}: cannot record a transaction's end, log refuses writes until reopened: {}",
               _dir.string(), st.error().message());
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
  _traffic.records_in.add(static_cast<uint64_t>(offsets));
  _traffic.batches_in.add(parsed.size());
  _traffic.bytes_in.add(batches.size());
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
  // Transactions whose markers are now below the high watermark no longer hold the last
  // stable offset back.
  for (auto it = _unstable.begin(); it != _unstable.end();) {
    it = it->second < offset ? _unstable.erase(it) : std::next(it);
  }
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
  // One flush of this log at a time (the flusher's, a checkpoint's, a close's): Linux
  // reports a writeback error to one fdatasync only, so a flush running beside the one
  // that got it could otherwise see success and advance the high watermark over pages
  // the kernel dropped. A flush that waited here finds less (or nothing) left to sync.
  std::lock_guard sync_lock(_sync_mutex);
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
  // A clean in progress stops at its next segment; wait for it, so that nothing the
  // cleaner writes lands after the close (or in a directory removed after it).
  _closing.store(true);
  std::lock_guard cleaning(_cleaning_mutex);
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
  // The active segment's indexes and a producer snapshot, unless the last checkpoint (or
  // the creation, or a clean open) wrote them for what the log holds now: closing
  // thousands of partitions that took no record since then costs one sync each.
  std::shared_ptr<segment> active;
  bool checkpointed = false;
  {
    std::unique_lock lock(_state_mutex);
    active = _segments.back();
    checkpointed = active->base_offset() == _checkpoint_base && active->size() == _checkpoint_size;
    if (!checkpointed) {
      active->seal_time_index();
    }
  }
  if (!checkpointed) {
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
  }
  auto marker = file::open(_dir / names::clean_shutdown_file, file::mode::create_read_write);
  if (!marker) {
    return marker.error();
  }
  return sync_directory(_dir);
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
                                       oversized_first_batch oversized, isolation level,
                                       std::vector<aborted_txn>* aborted) const {
  std::shared_lock lock(_state_mutex);
  if (offset < _log_start_offset || offset > _high_watermark) {
    return errc::offset_out_of_range;
  }
  // The end of what this reader may see: a segment and a byte position in it.
  int64_t end_offset = _high_watermark;
  int64_t end_segment = _hw_segment_base;
  uint64_t end_position = _hw_position;
  if (level == isolation::read_committed) {
    end_offset = last_stable_offset_locked();
    if (end_offset < _high_watermark) {
      auto at = batch_position_locked(end_offset);
      if (!at) {
        return file_range{};
      }
      std::tie(end_segment, end_position) = *at;
    }
  }
  if (offset >= end_offset) {
    return file_range{};
  }
  auto it = std::upper_bound(_segments.begin(), _segments.end(), offset,
                             [](int64_t o, const auto& s) { return o < s->base_offset(); });
  if (it != _segments.begin()) {
    --it;
  }
  for (; it != _segments.end(); ++it) {
    const auto& seg = *it;
    if (seg->base_offset() > end_segment) {
      break;  // beyond what the reader may see
    }
    uint64_t limit = seg->base_offset() == end_segment ? end_position : seg->size();
    if (limit == 0) {
      continue;  // an empty segment below the end
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
    if (aborted != nullptr && level == isolation::read_committed && end > pos) {
      // Past the range: the next batch's base offset, or the next segment's, or the end.
      int64_t upper = end_offset;
      if (end < limit) {
        auto next =
            seg->find_first(**file, end, limit, [](const protocol::batch_header&) { return true; });
        upper = next ? next->second.base_offset : upper;
      } else if (std::next(it) != _segments.end()) {
        upper = std::min(upper, (*std::next(it))->base_offset());
      }
      *aborted = _aborted.overlapping(offset, upper);
    }
    int fd = (*file)->fd();
    return file_range{std::move(file).value(), fd, pos, end - pos};
  }
  return file_range{};
}

std::optional<int64_t> partition_log::timestamp_at(int64_t offset) const {
  std::shared_lock lock(_state_mutex);
  offset = std::max(offset, _log_start_offset);
  if (offset >= _high_watermark) {
    return std::nullopt;
  }
  // The segment holding `offset`: the last whose base is not above it.
  auto it = std::upper_bound(
      _segments.begin(), _segments.end(), offset,
      [](int64_t o, const std::shared_ptr<segment>& s) { return o < s->base_offset(); });
  if (it == _segments.begin()) {
    return std::nullopt;
  }
  const segment& seg = **std::prev(it);
  const uint64_t limit = visible_limit_locked(seg);
  const uint64_t start =
      seg.index().floor_offset(static_cast<int32_t>(offset - seg.base_offset())).position;
  auto file = seg.open_log();
  if (!file) {
    return std::nullopt;
  }
  auto found = seg.find_first(**file, start, limit, [offset](const protocol::batch_header& h) {
    return h.last_offset() >= offset;
  });
  if (!found) {
    return std::nullopt;
  }
  const auto& [position, h] = *found;
  if (h.log_append_time() || offset <= h.base_offset) {
    return h.log_append_time() ? h.max_timestamp : h.base_timestamp;
  }
  // Inside the batch: the record's own timestamp (a batch read, decompressed if need be).
  std::vector<std::byte> batch(h.total_size());
  auto read = (*file)->read_at(position, batch);
  auto records = read && *read == batch.size()
                     ? protocol::decode_records(batch)
                     : result<std::vector<protocol::record>>(make_error_code(std::errc::io_error));
  if (!records) {
    return h.base_timestamp;  // unreadable: the batch's first timestamp
  }
  for (const auto& r : *records) {
    if (h.base_offset + r.offset_delta >= offset) {
      return h.base_timestamp + r.timestamp_delta;
    }
  }
  return h.base_timestamp;
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

bool partition_log::closed() const {
  return _closing.load();
}

std::unique_lock<std::mutex> partition_log::lock_for_cleaning() {
  return std::unique_lock(_cleaning_mutex);
}

status partition_log::set_cleaner_checkpoint(int64_t offset) {
  if (auto st = write_file_atomically(_dir / names::cleaner_checkpoint_file,
                                      std::to_string(offset) + "\n");
      !st) {
    return st;
  }
  _cleaner_checkpoint.store(offset);
  return {};
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
    _aborted.forget_below(_segments.front()->base_offset());
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
      bool by_time = _config.cleanup_delete && _config.retention_ms.count() >= 0;
      bool by_size = _config.cleanup_delete && _config.retention_bytes >= 0;
      bool expired =
          by_time && !s->empty() && s->max_timestamp() < now_millis - _config.retention_ms.count();
      bool over_size =
          by_size && total - s->size() >= static_cast<uint64_t>(_config.retention_bytes);
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
    _aborted.forget_below(_segments.front()->base_offset());
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
