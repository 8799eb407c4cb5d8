#include "storage/log_manager.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "base/file.h"
#include "base/log.h"
#include "base/parallel_for.h"
#include "storage/errc.h"
#include "storage/log_cleaner.h"
#include "storage/log_file_names.h"

namespace brook::storage {

log_manager::log_manager(options opts) : _opts(std::move(opts)) {}

unsigned log_manager::default_recovery_threads() {
  return std::clamp(std::thread::hardware_concurrency(), 2u, 16u);
}

log_manager::~log_manager() {
  (void)close_all();
}

result<recovery_summary> log_manager::open_all() {
  auto started = std::chrono::steady_clock::now();
  std::error_code ec;
  std::filesystem::create_directories(_opts.data_dir, ec);
  if (ec) {
    return ec;
  }
  recovery_summary summary;
  std::vector<std::pair<partition_key, std::filesystem::path>> found;
  for (std::filesystem::directory_iterator it(_opts.data_dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    const auto& entry = *it;
    std::error_code type_ec;
    if (!entry.is_directory(type_ec)) {
      continue;
    }
    auto name = entry.path().filename().string();
    auto tp = names::parse_partition_directory(name);
    if (!tp) {
      log::warn("data directory: ignoring {}: not <topic>-<partition>", name);
      continue;
    }
    found.push_back({{tp->topic, tp->partition}, entry.path()});
  }
  if (ec) {
    return ec;
  }
  // Partitions recover in parallel (reading and checking a segment's tail is CPU and I/O
  // bound, per partition); a long recovery logs its progress every few seconds.
  struct opened {
    std::optional<result<std::shared_ptr<partition_log>>> log;  // none: not tried
    open_report report;
  };
  std::vector<opened> results(found.size());
  parallel_for(
      found.size(), _opts.recovery_threads,
      [&](size_t i) {
        auto& r = results[i];
        r.log = partition_log::open(found[i].second, _opts.defaults, _flusher, &r.report);
        return static_cast<bool>(*r.log);
      },
      progress_interval,
      [&](size_t done) {
        log::info(
            "recovering the data directory: {} of {} partitions opened in {:.1f} s", done,
            found.size(),
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
      });
  // Those opened are kept (and closed cleanly by close_all) even when another failed.
  std::error_code first_error;
  for (size_t i = 0; i < found.size(); ++i) {
    auto& r = results[i];
    if (!r.log) {
      continue;  // not tried: another partition failed first
    }
    if (!*r.log) {
      log::error("{}: cannot open: {}", found[i].second.string(), r.log->error().message());
      first_error = first_error ? first_error : r.log->error();
      continue;
    }
    summary.partitions++;
    summary.clean += r.report.clean_shutdown ? 1 : 0;
    for (const auto& [base, rec] : r.report.segments) {
      summary.segments_scanned += rec.scanned ? 1 : 0;
      summary.bytes_scanned += rec.scanned_bytes;
      summary.indexes_rebuilt += rec.index_rebuilt ? 1 : 0;
      summary.tails_truncated += (rec.truncated_bytes > 0 && !rec.quarantined) ? 1 : 0;
      summary.segments_quarantined += rec.quarantined ? 1 : 0;
    }
    std::unique_lock lock(_mutex);
    _logs[found[i].first] = std::move(*r.log).value();
  }
  if (first_error) {
    return first_error;
  }
  summary.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - started);
  return summary;
}

result<std::shared_ptr<partition_log>> log_manager::get_or_create(const std::string& topic,
                                                                  int32_t partition,
                                                                  const log_config* config) {
  if (auto log = find(topic, partition)) {
    return log;
  }
  std::unique_lock lock(_mutex);
  auto key = partition_key{topic, partition};
  if (auto it = _logs.find(key); it != _logs.end()) {
    return it->second;
  }
  auto dir = _opts.data_dir / names::partition_directory(topic, partition);
  auto log = partition_log::open(dir, config != nullptr ? *config : _opts.defaults, _flusher);
  if (!log) {
    return log.error();
  }
  _logs[key] = *log;
  return log;
}

std::shared_ptr<partition_log> log_manager::find(const std::string& topic,
                                                 int32_t partition) const {
  std::shared_lock lock(_mutex);
  auto it = _logs.find(partition_key{topic, partition});
  return it == _logs.end() ? nullptr : it->second;
}

status log_manager::remove(const std::string& topic, int32_t partition) {
  std::shared_ptr<partition_log> log;
  {
    std::unique_lock lock(_mutex);
    auto it = _logs.find(partition_key{topic, partition});
    if (it != _logs.end()) {
      log = std::move(it->second);
      _logs.erase(it);
    }
  }
  if (log) {
    (void)log->close();  // the data goes anyway: a flush failure changes nothing
  }
  auto dir = _opts.data_dir / names::partition_directory(topic, partition);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  if (ec) {
    return ec;
  }
  return sync_directory(_opts.data_dir);
}

std::vector<std::pair<partition_key, std::shared_ptr<partition_log>>> log_manager::all() const {
  std::shared_lock lock(_mutex);
  return {_logs.begin(), _logs.end()};
}

void log_manager::enforce_retention() {
  auto now = partition_log::clock::now();
  for (auto& [key, log] : all()) {
    auto r = log->enforce_retention(now);
    if (!r) {
      log::warn("{}-{}: retention failed: {}", key.first, key.second, r.error().message());
    } else if (r->segments_deleted > 0) {
      log::info("{}-{}: retention deleted {} segments, {} bytes", key.first, key.second,
                r->segments_deleted, r->bytes_deleted);
    }
  }
}

size_t log_manager::checkpoint_all() {
  size_t taken = 0;
  size_t failures = 0;
  std::string first;
  for (auto& [key, log] : all()) {
    auto r = log->checkpoint();
    if (!r) {
      if (failures++ == 0) {
        first = fmt::format("{}-{}: {}", key.first, key.second, r.error().message());
      }
    } else if (*r) {
      ++taken;
    }
  }
  if (failures > 0) {
    // One line a round, however many partitions fail (a full disk fails them all).
    log::warn(
        "recovery checkpoint failed for {} partitions (first: {}); recovery after a crash "
        "reads more of them",
        failures, first);
  }
  return taken;
}

size_t log_manager::clean_all() {
  size_t cleaned = 0;
  offset_map map(_opts.cleaner_map_bytes);  // one for the round, freed at its end
  for (auto& [key, log] : all()) {
    if (_closed.load() || _cleaner_stop.stop_requested()) {
      break;
    }
    if (!log->config().cleanup_compact) {
      continue;
    }
    int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         partition_log::clock::now().time_since_epoch())
                         .count();
    auto need = assess_cleaning(*log, now_ms);
    if (!need.due) {
      continue;
    }
    auto started = std::chrono::steady_clock::now();
    auto r =
        clean_log(*log, cleaning_rules_of(log->config()), now_ms, map, _cleaner_stop.get_token());
    if (!r) {
      // Closed (the topic deleted) or stopped (shutting down): nothing to report.
      if (r.error() != make_error_code(errc::log_closed) &&
          r.error() != make_error_code(errc::cleaning_stopped)) {
        log::warn("{}-{}: log cleaning failed: {}", key.first, key.second, r.error().message());
      }
      continue;
    }
    ++cleaned;
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - started)
                  .count();
    log::info(
        "{}-{}: cleaned (dirty ratio {:.2f}{}): {} segments read ({} bytes), {} rewritten "
        "({} -> {} bytes), {} records removed, {} keys mapped{}, in {} ms",
        key.first, key.second, need.dirty_ratio,
        need.lag_exceeded ? ", max.compaction.lag.ms passed" : "", r->segments_read, r->bytes_read,
        r->segments_rewritten, r->bytes_before, r->bytes_after, r->records_removed, r->keys_mapped,
        r->map_full ? fmt::format(" (map full: cleaned up to offset {}, the rest next round)",
                                  r->cleaned_up_to)
                    : std::string(),
        ms);
  }
  return cleaned;
}

status log_manager::close_all() {
  {
    std::lock_guard lock(_close_mutex);
    if (_closed) {
      return {};
    }
    _closed = true;
  }
  _cleaner_stop.request_stop();
  // Each close syncs its partition's files: on a slow disk a few milliseconds each, so
  // thousands of partitions close on several threads (as they open), and a long close
  // reports its progress.
  auto logs = all();
  auto started = std::chrono::steady_clock::now();
  std::mutex first_mutex;
  status first;
  parallel_for(
      logs.size(), _opts.recovery_threads,
      [&](size_t i) {
        const auto& [key, log] = logs[i];
        if (auto st = log->close(); !st) {
          log::error("{}-{}: close failed: {}", key.first, key.second, st.error().message());
          std::lock_guard lock(first_mutex);
          if (first) {
            first = st;
          }
        }
        return true;
      },
      progress_interval,
      [&](size_t done) {
        log::info(
            "closing the data directory: {} of {} partitions closed in {:.1f} s", done, logs.size(),
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
      });
  _flusher.stop();
  return first;
}

}  // namespace brook::storage
