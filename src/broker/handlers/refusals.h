// Requests with many entries (partitions, groups) whose refused entries are answered by the
// handler and the rest by the group coordinator: one error per entry of the request, the
// handler's refusal where there is one (not kafka_error::none), else the coordinator's
// next answer, in order.
#pragma once

#include <vector>

#include "protocol/kafka_error.h"

namespace brook::broker::handlers {

inline std::vector<protocol::kafka_error> merge_refusals(
    const std::vector<protocol::kafka_error>& refusals,
    const std::vector<protocol::kafka_error>& answered) {
  std::vector<protocol::kafka_error> out;
  out.reserve(refusals.size());
  size_t next = 0;
  for (auto refused : refusals) {
    out.push_back(refused != protocol::kafka_error::none ? refused : answered.at(next++));
  }
  return out;
}

}  // namespace brook::broker::handlers
