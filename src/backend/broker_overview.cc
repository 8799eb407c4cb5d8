#include "backend/broker_overview.h"

#include <sys/statvfs.h>

#include "base/clock.h"
#include "broker/broker.h"
#include "protocol/topic_name.h"

namespace brook::backend {

namespace {

std::string cleanup_policy(const storage::log_config& c) {
  if (c.cleanup_compact && c.cleanup_delete) {
    return "compact,delete";
  }
  return c.cleanup_compact ? "compact" : "delete";
}

}  // namespace

broker_overview::broker_overview(broker::broker& b, std::vector<listener_summary> listeners,
                                 std::chrono::milliseconds interval, size_t keep)
    : _broker(b),
      _listeners(std::move(listeners)),
      _interval(interval),
      _keep(keep),
      _started_at_ms(wall_clock_ms()) {
  sample();
  _sampler = std::thread([this] {
    std::unique_lock lock(_mutex);
    while (!_wake.wait_for(lock, _interval, [this] { return _stopping; })) {
      lock.unlock();
      sample();
      lock.lock();
    }
  });
}

broker_overview::~broker_overview() {
  {
    std::lock_guard lock(_mutex);
    _stopping = true;
  }
  _wake.notify_all();
  _sampler.join();
}

traffic_rates broker_overview::rate(const reading& older, const reading& newer) {
  const double seconds = std::chrono::duration<double>(newer.at - older.at).count();
  if (seconds <= 0) {
    return {};
  }
  auto per_second = [seconds](uint64_t a, uint64_t b) {
    return b >= a ? static_cast<double>(b - a) / seconds : 0.0;
  };
  return {per_second(older.totals.bytes_in, newer.totals.bytes_in),
          per_second(older.totals.bytes_out, newer.totals.bytes_out),
          per_second(older.totals.records_in, newer.totals.records_in)};
}

void broker_overview::sample() {
  const auto now = std::chrono::steady_clock::now();
  std::map<std::string, traffic_totals> per_topic;
  traffic_totals all;
  for (const auto& t : _broker.topics().list()) {
    traffic_totals& sum = per_topic[t->name];
    for (int32_t p = 0; p < t->partition_count(); ++p) {
      if (auto log = t->partition(p)) {
        const auto& traffic = log->traffic();
        sum.bytes_in += traffic.bytes_in.value();
        sum.bytes_out += traffic.bytes_out.value();
        sum.records_in += traffic.records_in.value();
      }
    }
    all.bytes_in += sum.bytes_in;
    all.bytes_out += sum.bytes_out;
    all.records_in += sum.records_in;
  }
  std::lock_guard lock(_mutex);
  const reading current{now, all};
  traffic_sample s{wall_clock_ms(), all, {}};
  if (_last_total) {
    s.rates = rate(*_last_total, current);
  }
  _last_total = current;
  _history.push_back(s);
  while (_history.size() > _keep) {
    _history.pop_front();
  }
  std::map<std::string, std::pair<reading, reading>> topics;
  for (auto& [name, totals] : per_topic) {
    const reading r{now, totals};
    auto old = _topics.find(name);
    topics.emplace(name, std::make_pair(old == _topics.end() ? r : old->second.second, r));
  }
  _topics = std::move(topics);  // deleted topics forgotten
}

broker_summary broker_overview::summary() const {
  broker_summary s;
  s.started_at_ms = _started_at_ms;
  s.data_dir = _broker.data_dir().string();
  s.listeners = _listeners;
  struct statvfs disk {};
  if (::statvfs(s.data_dir.c_str(), &disk) == 0) {
    s.disk_total_bytes = static_cast<uint64_t>(disk.f_blocks) * disk.f_frsize;
    s.disk_free_bytes = static_cast<uint64_t>(disk.f_bavail) * disk.f_frsize;
  }
  auto listed = _broker.topics().list();
  std::lock_guard lock(_mutex);
  for (const auto& t : listed) {
    topic_summary ts;
    ts.name = t->name;
    ts.partitions = t->partition_count();
    ts.internal = protocol::is_internal_topic_name(t->name);
    ts.retention_ms = t->config.retention_ms.count();
    ts.cleanup_policy = cleanup_policy(t->config);
    for (int32_t p = 0; p < t->partition_count(); ++p) {
      if (auto log = t->partition(p)) {
        ts.size_bytes += log->size_bytes();
        ts.records += std::max<int64_t>(0, log->high_watermark() - log->log_start_offset());
        const auto& traffic = log->traffic();
        ts.totals.bytes_in += traffic.bytes_in.value();
        ts.totals.bytes_out += traffic.bytes_out.value();
        ts.totals.records_in += traffic.records_in.value();
      }
    }
    if (auto it = _topics.find(t->name); it != _topics.end()) {
      ts.rates = rate(it->second.first, it->second.second);
    }
    s.log_bytes += ts.size_bytes;
    s.totals.bytes_in += ts.totals.bytes_in;
    s.totals.bytes_out += ts.totals.bytes_out;
    s.totals.records_in += ts.totals.records_in;
    s.topics.push_back(std::move(ts));
  }
  std::sort(s.topics.begin(), s.topics.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  s.history.assign(_history.begin(), _history.end());
  return s;
}

}  // namespace brook::backend
