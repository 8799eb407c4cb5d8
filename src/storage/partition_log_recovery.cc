// partition_log, the half that decides what survives a crash: opening a partition
// directory and recovering it (doc/formats/log.md#recovery), the recovery checkpoints
// that bound that work, and the log cleaner's segment swaps (log_cleaner.h). Appends,
// reads, retention and flushing are in partition_log.cc.
#include <algorithm>
#include <charconv>
#include <fstream>
#include <limits>

#include "base/file.h"
#include "base/log.h"
#include "storage/errc.h"
#include "storage/flusher.h"
#include "storage/log_file_names.h"
#include "storage/partition_log.h"

namespace brook::storage {
namespace {

// A file holding one offset (log-start-offset, cleaner-offset-checkpoint); nullopt when
// missing or not a number.
std::optional<int64_t> read_offset_file(const std::filesystem::path& path) {
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

  auto checkpoint = read_offset_file(dir / names::log_start_offset_file);
  auto cleaned = read_offset_file(dir / names::cleaner_checkpoint_file).value_or(0);
  bool checkpointed = clean;  // the clean close wrote the indexes and a producer snapshot
  if (log->_segments.empty()) {
    auto seg = segment::create(dir, checkpoint.value_or(0));
    if (!seg) {
      return seg.error();
    }
    log->_segments.push_back(std::move(seg).value());
    // Its creation wrote its (empty) indexes: a checkpoint of the empty log, whose producer
    // state (none) needs no snapshot.
    checkpointed = true;
  }
  const auto& active = *log->_segments.back();
  log->_log_start_offset = std::max(checkpoint.value_or(0), log->_segments.front()->base_offset());
  log->_log_end_offset = active.next_offset();
  log->_high_watermark = log->_log_end_offset;
  log->_hw_segment_base = active.base_offset();
  log->_hw_position = active.size();
  log->_log_start_offset = std::min(log->_log_start_offset, log->_log_end_offset);
  // A checkpoint past the log's end is not this log's (Kafka resets such one): start over.
  log->_cleaner_checkpoint = cleaned <= log->_log_end_offset ? cleaned : 0;
  if (checkpointed) {
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

  // Replay the batch headers after the snapshot (the whole log without one), and the
  // transaction markers: the aborted transaction index keeps what is below the snapshot
  // and gets the aborts after it again.
  int64_t from = loaded.value_or(-1);
  report.producer_snapshot_offset = from;
  std::vector<int64_t> bases;
  for (const auto& seg : _segments) {
    bases.push_back(seg->base_offset());
  }
  if (auto st = _aborted.load(bases, std::max<int64_t>(from, 0)); !st) {
    return st;
  }
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
    // Stops at each control batch (a marker) after `from`: its record says its type.
    auto replay = [&](const protocol::batch_header& h) {
      if (h.base_offset < from) {
        return false;
      }
      ++report.producer_batches_scanned;
      if (h.control()) {
        return true;
      }
      _producers.apply(h);
      return false;
    };
    for (uint64_t pos = start; pos < seg->size();) {
      auto marker = seg->find_first(**file, pos, seg->size(), replay);
      if (!marker) {
        break;
      }
      const auto& [at, h] = *marker;
      std::vector<std::byte> bytes(h.total_size());
      auto n = (*file)->read_at(at, bytes);
      if (!n) {
        return n.error();
      }
      if (*n == bytes.size()) {
        if (auto st = apply_transactions_locked(bytes, std::span(&h, 1), seg->base_offset()); !st) {
          return st;
        }
      }
      pos = at + h.total_size();
    }
  }
  // The transactions still open hold the last stable offset back; those the replay saw
  // end are below the high watermark, which is the log end on open.
  _unstable.clear();
  for (const auto& [first, producer] : _producers.open_transactions()) {
    _unstable.emplace(first, std::numeric_limits<int64_t>::max());
  }
  if (from >= 0 || report.producer_batches_scanned > 0) {
    log::debug("{}: producer state: {} producers, from snapshot {} and {} batches after it",
               _dir.string(), _producers.size(), from, report.producer_batches_scanned);
  }
  return {};
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
    std::filesystem::remove(names::cleaned_file(_dir, base), ec);
    return false;
  }
  // Readers of the old segment keep the old file, even if the open-file cache closes it
  // while the cleaned one takes its name (they would reopen the new file by that name and
  // read it with the old index).
  auto old_file = old->open_log();
  if (!old_file) {
    return old_file.error();
  }
  old->log_file().pin(std::move(old_file).value());
  // The commit point: once the swap file's name is durable, recovery completes the swap.
  // Under the append mutex, so retention cannot delete the segment between the two.
  std::error_code renamed;
  std::filesystem::rename(names::cleaned_file(_dir, base), names::swap_file(_dir, base), renamed);
  if (renamed) {
    return renamed;
  }
  if (auto synced = sync_directory(_dir); !synced) {
    return synced.error();
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

}  // namespace brook::storage
