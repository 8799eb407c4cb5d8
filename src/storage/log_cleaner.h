// log_cleaner: log compaction of one partition (cleanup.policy=compact), Kafka's rules on
// Brook's segments. It keeps, in the sealed segments old enough to clean, only the last
// record of each key, drops tombstones (null values) once they are older than
// delete.retention.ms, and rewrites each segment in place of itself: offsets, batch
// boundaries (a batch keeps its base offset and last offset) and the last batch of every
// idempotent producer stay, so reads, offsets and producer state remain valid. Crash
// safety is a commit point per segment (doc/formats/log.md#compaction): the cleaned copy
// is written as `<base>.log.cleaned`, made durable, renamed to `<base>.log.swap` (the
// commit), and only then swapped in; a crash leaves either the old segment or the new.
#pragma once

#include <cstdint>
#include <stop_token>

#include "base/result.h"
#include "storage/offset_map.h"
#include "storage/partition_log.h"

namespace brook::storage {

struct cleaning_rules {
  int64_t delete_retention_ms = 86'400'000;  // delete.retention.ms
  int64_t min_compaction_lag_ms = 0;         // min.compaction.lag.ms
};
cleaning_rules cleaning_rules_of(const log_config& config);

struct clean_report {
  size_t segments_read = 0;       // sealed segments considered
  size_t segments_rewritten = 0;  // of those, swapped for a cleaned copy
  uint64_t bytes_read = 0;        // of the segments considered
  uint64_t bytes_before = 0;      // of the rewritten segments
  uint64_t bytes_after = 0;
  uint64_t records_removed = 0;
  int64_t cleaned_up_to = -1;  // the cleaner checkpoint afterwards (-1: nothing to clean)
  size_t keys_mapped = 0;      // keys of the dirty part in the map
  bool map_full = false;       // the map filled up: the dirty part was cleaned only in part
};

// Cleans `log` once, as of `now_ms` (the broker's clock), as Kafka does. Only sealed
// segments whose newest record is at least min.compaction.lag.ms old take part (the
// oldest ones, up to the first that is too young). The dirty part (from the log's
// cleaner checkpoint on) is read into `map` (each key's newest offset) until the map is
// full; then every cleanable segment up to there is rewritten without the records the
// map holds a newer one of, and without tombstones past delete.retention.ms. Records
// without a key stay. Afterwards the cleaner checkpoint is where the map ended: the end
// of the cleanable segments, or, when the map filled up, the batch it stopped at (the
// next clean goes on from there). errc::cleaner_map_too_small when not one batch of the
// dirty part fits in the map.
// `stop` ends the clean early (errc::cleaning_stopped) between two segments; so does the
// log's closing (errc::log_closed).
result<clean_report> clean_log(partition_log& log, const cleaning_rules& rules, int64_t now_ms,
                               offset_map& map, const std::stop_token& stop = {});
// The same with a map of offset_map::default_max_bytes.
result<clean_report> clean_log(partition_log& log, const cleaning_rules& rules, int64_t now_ms,
                               const std::stop_token& stop = {});

// Whether a compacted log needs cleaning now, by Kafka's rules (LogCleanerManager): of the
// sealed segments old enough to clean (min.compaction.lag.ms), those below the cleaner
// checkpoint are clean, the others dirty; the log is due when the dirty share of their
// bytes reaches min.cleanable.dirty.ratio, or when a dirty segment began longer than
// max.compaction.lag.ms ago.
struct cleaning_need {
  uint64_t clean_bytes = 0;
  uint64_t dirty_bytes = 0;
  double dirty_ratio = 0;
  bool lag_exceeded = false;
  bool due = false;
};
cleaning_need assess_cleaning(const partition_log& log, int64_t now_ms);

}  // namespace brook::storage
