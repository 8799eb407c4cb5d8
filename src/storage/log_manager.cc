#include "storage/log_manager.h"

#include "base/file.h"
#include "base/log.h"
#include "storage/errc.h"
#include "storage/log_file_names.h"

namespace brook::storage {

log_manager::log_manager(options opts) : _opts(std::move(opts)) {}

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
  for (auto& [key, path] : found) {
    open_report report;
    auto log = partition_log::open(path, _opts.defaults, _flusher, &report);
    if (!log) {
      log::error("{}: cannot open: {}", path.string(), log.error().message());
      return log.error();
    }
    summary.partitions++;
    summary.clean += report.clean_shutdown ? 1 : 0;
    for (const auto& [base, rec] : report.segments) {
      summary.segments_scanned += rec.scanned ? 1 : 0;
      summary.indexes_rebuilt += rec.index_rebuilt ? 1 : 0;
      summary.tails_truncated += (rec.truncated_bytes > 0 && !rec.quarantined) ? 1 : 0;
      summary.segments_quarantined += rec.quarantined ? 1 : 0;
    }
    std::unique_lock lock(_mutex);
    _logs[key] = std::move(log).value();
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

status log_manager::close_all() {
  {
    std::lock_guard lock(_close_mutex);
    if (_closed) {
      return {};
    }
    _closed = true;
  }
  status first;
  for (auto& [key, log] : all()) {
    if (auto st = log->close(); !st) {
      log::error("{}-{}: close failed: {}", key.first, key.second, st.error().message());
      if (first) {
        first = st;
      }
    }
  }
  _flusher.stop();
  return first;
}

}  // namespace brook::storage
