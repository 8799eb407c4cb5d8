#include "storage/log_cleaner.h"

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "base/file.h"
#include "storage/errc.h"
#include "storage/log_file_names.h"
#include "storage/offset_map.h"

namespace brook::storage {
namespace {
namespace L = protocol::batch_layout;

// Calls fn(bytes, header) for every batch of sealed segment `seg` (its file `f`), in
// order. fn returns a status; the first failure stops the walk.
template <typename Fn>
status for_each_batch(const segment& seg, const file& f, Fn&& fn) {
  std::vector<std::byte> buf;
  std::array<std::byte, L::header_size> head{};
  for (uint64_t pos = 0; pos < seg.size();) {
    auto n = f.read_at(pos, head);
    if (!n) {
      return n.error();
    }
    if (*n != head.size()) {
      return errc::corrupt_segment;
    }
    auto h = protocol::batch_header::decode(head);
    if (h.batch_length <= 0 || pos + h.total_size() > seg.size()) {
      return errc::corrupt_segment;
    }
    buf.resize(h.total_size());
    auto got = f.read_at(pos, buf);
    if (!got) {
      return got.error();
    }
    if (*got != buf.size()) {
      return errc::corrupt_segment;
    }
    if (auto st = fn(std::span<const std::byte>(buf), h); !st) {
      return st;
    }
    pos += h.total_size();
  }
  return {};
}

// The segment's file, open while it is read (one at a time: the open-file cache's limit
// holds). Null when retention deleted the segment meanwhile: nothing to clean there.
result<std::shared_ptr<const file>> open_for_cleaning(const segment& seg) {
  auto f = seg.open_log();
  if (!f && f.error() == std::errc::no_such_file_or_directory) {
    return std::shared_ptr<const file>{};
  }
  return f;
}

// The sealed segments old enough to clean: the oldest ones, up to the first whose newest
// record is younger than min.compaction.lag.ms or that reaches the last stable offset (a
// transaction not yet decided decides which of its records count). Empty ones are left out.
std::vector<std::shared_ptr<segment>> cleanable_segments(const partition_log& log,
                                                         int64_t min_compaction_lag_ms,
                                                         int64_t now_ms) {
  std::vector<std::shared_ptr<segment>> out;
  int64_t horizon = min_compaction_lag_ms > now_ms ? -1 : now_ms - min_compaction_lag_ms;
  const int64_t stable = log.last_stable_offset();
  for (auto& seg : log.sealed_segments()) {
    if (seg->next_offset() > stable) {
      break;
    }
    if (seg->empty()) {
      continue;
    }
    // Without a lag every sealed segment is cleanable, whatever its timestamps (one from
    // the future must not hold compaction up).
    if (min_compaction_lag_ms > 0 && seg->max_timestamp() > horizon) {
      break;  // too young, and so is everything after it
    }
    out.push_back(seg);
  }
  return out;
}

}  // namespace

cleaning_rules cleaning_rules_of(const log_config& config) {
  return {config.delete_retention_ms, config.min_compaction_lag_ms};
}

cleaning_need assess_cleaning(const partition_log& log, int64_t now_ms) {
  cleaning_need need;
  auto config = log.config();
  int64_t checkpoint = log.cleaner_checkpoint();
  for (const auto& seg : cleanable_segments(log, config.min_compaction_lag_ms, now_ms)) {
    if (seg->next_offset() <= checkpoint) {
      need.clean_bytes += seg->size();
      continue;
    }
    need.dirty_bytes += seg->size();
    int64_t began = seg->roll_base_ms();
    if (began >= 0 && now_ms - began > config.max_compaction_lag_ms) {
      need.lag_exceeded = true;
    }
  }
  if (need.dirty_bytes > 0) {
    need.dirty_ratio = static_cast<double>(need.dirty_bytes) /
                       static_cast<double>(need.clean_bytes + need.dirty_bytes);
    need.due = need.dirty_ratio >= config.min_cleanable_dirty_ratio || need.lag_exceeded;
  }
  return need;
}

result<clean_report> clean_log(partition_log& log, const cleaning_rules& rules, int64_t now_ms,
                               const std::stop_token& stop) {
  offset_map map;
  return clean_log(log, rules, now_ms, map, stop);
}

result<clean_report> clean_log(partition_log& log, const cleaning_rules& rules, int64_t now_ms,
                               offset_map& map, const std::stop_token& stop) {
  auto interrupted = [&]() -> std::optional<errc> {
    if (stop.stop_requested()) {
      return errc::cleaning_stopped;
    }
    if (log.closed()) {
      return errc::log_closed;
    }
    return std::nullopt;
  };
  // Held for the whole clean: close() (and so DeleteTopics) waits for it, after asking it
  // to stop at the next segment.
  auto hold = log.lock_for_cleaning();
  if (auto why = interrupted()) {
    return *why;
  }
  clean_report report;
  auto segments = cleanable_segments(log, rules.min_compaction_lag_ms, now_ms);
  for (const auto& seg : segments) {
    report.bytes_read += seg->size();
  }
  // Records of aborted transactions are never read by a read_committed consumer: as in
  // Kafka, they are not mapped (an aborted value must not shadow a committed one) and the
  // clean removes them. Markers stay.
  const auto aborted = segments.empty() ? std::vector<aborted_txn>{}
                                        : log.aborted_transactions(segments.front()->base_offset(),
                                                                   segments.back()->next_offset());
  auto aborted_batch = [&aborted](const protocol::batch_header& h) {
    return in_aborted(aborted, h);
  };
  report.segments_read = segments.size();
  if (segments.empty()) {
    return report;
  }

  // Pass 1, over the dirty part (from the cleaner checkpoint on): the offset of each key's
  // newest record, until the map is full (at a batch boundary). The part below the
  // checkpoint holds each key once already; a newer record in the map supersedes it.
  offset_map& last_of_key = map;
  last_of_key.clear();
  const int64_t checkpoint = log.cleaner_checkpoint();
  int64_t mapped_end = segments.back()->next_offset();  // the first offset not mapped
  bool full = false;
  for (const auto& seg : segments) {
    if (full || seg->next_offset() <= checkpoint) {
      continue;
    }
    if (auto why = interrupted()) {
      return *why;
    }
    auto f = open_for_cleaning(*seg);
    if (!f) {
      return f.error();
    }
    if (!*f) {
      continue;
    }
    auto st = for_each_batch(*seg, **f, [&](auto bytes, const protocol::batch_header& h) {
      if (full || h.control() || h.last_offset() < checkpoint || aborted_batch(h)) {
        return status{};
      }
      if (last_of_key.size() + static_cast<size_t>(std::max(h.records_count, 0)) >
          last_of_key.capacity()) {
        full = true;
        mapped_end = h.base_offset;
        return status{};
      }
      auto records = protocol::decode_records(bytes);
      if (!records) {
        return status{records.error()};
      }
      for (const auto& r : *records) {
        if (!r.null_key) {
          last_of_key.put(r.key, h.base_offset + r.offset_delta);
        }
      }
      return status{};
    });
    if (!st) {
      return st.error();
    }
  }
  if (full && mapped_end <= std::max(checkpoint, segments.front()->base_offset())) {
    return errc::cleaner_map_too_small;
  }
  report.keys_mapped = last_of_key.size();
  // Pass 2 needs only the segments that hold something below mapped_end.
  while (!segments.empty() && segments.back()->base_offset() >= mapped_end) {
    segments.pop_back();
  }
  // Each idempotent producer's last batch stays whole: the producer state after a
  // restart is rebuilt from it.
  std::unordered_set<int64_t> last_batch_of_producer;
  for (const auto& p : log.producers()) {
    if (!p.batches.empty()) {
      last_batch_of_producer.insert(p.batches.back().first_offset);
    }
  }

  // Pass 2: each segment rewritten with what stays, and swapped in if anything went.
  const int64_t tombstone_horizon = now_ms - rules.delete_retention_ms;
  const auto& dir = log.dir();
  for (const auto& seg : segments) {
    if (auto why = interrupted()) {
      return *why;
    }
    auto opened = open_for_cleaning(*seg);
    if (!opened) {
      return opened.error();
    }
    if (!*opened) {
      continue;
    }
    const file& source = **opened;
    int64_t base = seg->base_offset();
    auto cleaned_path = names::cleaned_file(dir, base);
    // The copy is begun at the first batch that changes: a segment that loses nothing is
    // read, never written. `unchanged`: the bytes before it, copied then.
    std::optional<file> out;
    uint64_t unchanged = 0;
    uint64_t written = 0;
    uint64_t removed = 0;
    auto write = [&](std::span<const std::byte> bytes) -> status {
      if (auto st = out->write_at(written, bytes); !st) {
        return st;
      }
      written += bytes.size();
      return {};
    };
    auto keep = [&](std::span<const std::byte> bytes) -> status {
      if (!out) {
        unchanged += bytes.size();
        return {};
      }
      return write(bytes);
    };
    auto begin_copy = [&]() -> status {
      if (out) {
        return {};
      }
      auto f = file::open(cleaned_path, file::mode::create_read_write);
      if (!f) {
        return f.error();
      }
      if (auto st = f->truncate(0); !st) {
        return st;
      }
      out.emplace(std::move(f).value());
      std::vector<std::byte> buf(std::min<uint64_t>(unchanged, uint64_t{1} << 20));
      for (uint64_t pos = 0; pos < unchanged;) {
        auto chunk = std::span(buf).first(std::min<uint64_t>(buf.size(), unchanged - pos));
        auto got = source.read_at(pos, chunk);
        if (!got) {
          return got.error();
        }
        if (*got != chunk.size()) {
          return errc::corrupt_segment;
        }
        if (auto st = write(chunk); !st) {
          return st;
        }
        pos += chunk.size();
      }
      return {};
    };
    auto st = for_each_batch(*seg, source, [&](auto bytes, const protocol::batch_header& h) {
      if (h.control()) {
        return keep(bytes);
      }
      auto records = protocol::decode_records(bytes);
      if (!records) {
        return status{records.error()};
      }
      std::vector<protocol::record> kept;
      const bool discard = aborted_batch(h);
      for (auto& r : *records) {
        if (discard) {
          continue;
        }
        int64_t offset = h.base_offset + r.offset_delta;
        // Past where the map ended (it filled up) nothing goes, tombstones included: the
        // next round sees those records as dirty, and a tombstone must outlive the older
        // values of its key below it.
        bool mapped = offset < mapped_end;
        // Kafka's rule: a record goes only when the map holds a newer one of its key.
        auto newest = r.null_key || !mapped ? std::nullopt : last_of_key.get(r.key);
        bool latest = !newest || *newest <= offset;
        bool expired_tombstone =
            mapped && !r.null_key && r.null_value && h.max_timestamp < tombstone_horizon;
        if (latest && !expired_tombstone) {
          kept.push_back(std::move(r));
        }
      }
      if (kept.size() == records->size()) {
        return keep(bytes);
      }
      if (kept.empty()) {
        // An idempotent producer's last batch stays whole: its sequence is what the
        // producer state is rebuilt from.
        removed += records->size();
        if (auto begun = begin_copy(); !begun) {
          return begun;
        }
        if (h.producer_id >= 0 && last_batch_of_producer.count(h.base_offset) != 0) {
          // An idempotent producer's last batch stays, emptied (as Kafka's cleaner leaves
          // it): its header is what the producer state is rebuilt from after a restart.
          auto empty = protocol::empty_batch(bytes);
          return write(std::as_bytes(std::span(empty)));
        }
        return status{};
      }
      removed += records->size() - kept.size();
      auto filtered = protocol::filter_batch(bytes, kept);
      if (!filtered) {
        return status{filtered.error()};
      }
      if (auto begun = begin_copy(); !begun) {
        return begun;
      }
      return write(std::as_bytes(std::span(*filtered)));
    });
    if (st && out) {
      st = out->datasync();
    }
    if (!st || !out) {
      if (out) {
        std::error_code ec;
        std::filesystem::remove(cleaned_path, ec);
      }
      if (!st) {
        return st.error();
      }
      continue;
    }
    // The commit (rename to .swap) and the swap, under the log's append mutex.
    auto swapped = log.replace_with_cleaned(seg);
    if (!swapped) {
      return swapped.error();
    }
    if (*swapped) {
      report.segments_rewritten++;
      report.bytes_before += seg->size();
      report.bytes_after += written;
      report.records_removed += removed;
    }
  }
  if (auto why = interrupted()) {
    return *why;  // a segment may have been left out: the checkpoint stays
  }
  if (mapped_end > checkpoint) {
    if (auto st = log.set_cleaner_checkpoint(mapped_end); !st) {
      return st.error();
    }
  }
  report.cleaned_up_to = std::max(mapped_end, checkpoint);
  report.map_full = full;
  return report;
}

}  // namespace brook::storage
