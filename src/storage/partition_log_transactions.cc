// partition_log, the part about transactions (doc/formats/transactions.md): appending the
// coordinator's markers, recording the transactions each append opens and closes, the last
// stable offset and where it lies, the aborted transactions. Appends and reads are in
// partition_log.cc, recovery in partition_log_recovery.cc.
#include <algorithm>
#include <limits>

#include "base/clock.h"
#include "base/log.h"
#include "protocol/control_record.h"
#include "storage/partition_log.h"

namespace brook::storage {

void partition_log::append_marker(int64_t producer_id, int16_t epoch, protocol::control_type type,
                                  append_callback done) {
  std::string batch =
      protocol::build_marker_batch(producer_id, epoch, type, 0, epoch_ms(clock::now()));
  append_options options;
  options.markers = true;
  append(std::as_writable_bytes(std::span(batch)), options, std::move(done));
}

status partition_log::apply_transactions_locked(std::span<const std::byte> bytes,
                                                std::span<const protocol::batch_header> headers,
                                                int64_t segment_base) {
  size_t at = 0;
  for (const auto& h : headers) {
    auto batch = bytes.subspan(at, h.total_size());
    at += h.total_size();
    if (!h.control()) {
      if (_producers.apply(h)) {
        std::unique_lock lock(_state_mutex);
        _unstable.emplace(h.base_offset, std::numeric_limits<int64_t>::max());
      }
      continue;
    }
    auto type = protocol::marker_type(batch);
    if (!type) {
      continue;  // not a transaction marker: nothing to record
    }
    auto done = _producers.apply_marker(h, *type);
    if (!done) {
      continue;
    }
    std::optional<aborted_txn> aborted;
    if (done->aborted) {
      auto open = _producers.open_transactions();
      int64_t stable = open.empty() ? done->last_offset + 1 : open.front().first;
      aborted = aborted_txn{done->producer_id, done->first_offset, done->last_offset, stable};
      if (auto st = _aborted.write(segment_base, *aborted); !st) {
        return st;
      }
    }
    std::unique_lock lock(_state_mutex);
    _unstable[done->first_offset] = done->last_offset;
    if (aborted) {
      _aborted.remember(*aborted);
    }
  }
  return {};
}

std::optional<std::pair<int64_t, uint64_t>> partition_log::batch_position_locked(
    int64_t offset) const {
  auto it = std::upper_bound(_segments.begin(), _segments.end(), offset,
                             [](int64_t o, const auto& s) { return o < s->base_offset(); });
  if (it == _segments.begin()) {
    return std::nullopt;
  }
  const auto& seg = **std::prev(it);
  uint64_t start =
      seg.index().floor_offset(static_cast<int32_t>(offset - seg.base_offset())).position;
  auto file = seg.open_log();
  if (!file) {
    return std::nullopt;
  }
  auto found = seg.find_first(
      **file, start, visible_limit_locked(seg),
      [offset](const protocol::batch_header& h) { return h.last_offset() >= offset; });
  if (!found) {
    return std::nullopt;
  }
  return std::pair{seg.base_offset(), found->first};
}

int64_t partition_log::last_stable_offset_locked() const {
  if (_unstable.empty()) {
    return _high_watermark;
  }
  return std::max(_log_start_offset, std::min(_high_watermark, _unstable.begin()->first));
}

int64_t partition_log::last_stable_offset() const {
  std::shared_lock lock(_state_mutex);
  return last_stable_offset_locked();
}

int64_t partition_log::visible_end(isolation level) const {
  std::shared_lock lock(_state_mutex);
  return level == isolation::read_committed ? last_stable_offset_locked() : _high_watermark;
}

std::vector<aborted_txn> partition_log::aborted_transactions(int64_t from, int64_t to) const {
  std::shared_lock lock(_state_mutex);
  return _aborted.overlapping(from, to);
}

}  // namespace brook::storage
