// What the transactional APIs share: PRODUCER_FENCED (KIP-588) as older request versions
// know it.
#pragma once

#include <cstdint>

#include "protocol/kafka_error.h"

namespace brook::broker::handlers {

// PRODUCER_FENCED for a request of `version` when that API has it from `fenced_since`,
// else INVALID_PRODUCER_EPOCH, which older clients take for the same thing.
inline protocol::kafka_error fenced_as(protocol::kafka_error e, int16_t version,
                                       int16_t fenced_since) {
  if (e == protocol::kafka_error::producer_fenced && version < fenced_since) {
    return protocol::kafka_error::invalid_producer_epoch;
  }
  return e;
}

}  // namespace brook::broker::handlers
