// Settings of the transaction coordinator (doc/configuration.md, `transactions.*`), with
// Kafka's defaults.
#pragma once

#include <cstdint>

namespace brook::broker::txn {

struct txn_config {
  // transaction.max.timeout.ms: the longest transaction.timeout.ms a producer may ask for.
  int32_t max_timeout_ms = 900000;
  // transactional.id.expiration.ms: an id with no transaction open, unused this long, is
  // forgotten.
  int64_t id_expiration_ms = 604800000;
  // transaction.abort.timed.out.transaction.cleanup.interval.ms: how often transactions
  // past their timeout are looked for (and unfinished completions retried).
  int64_t abort_check_interval_ms = 10000;
};

}  // namespace brook::broker::txn
