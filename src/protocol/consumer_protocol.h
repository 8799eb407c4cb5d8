// The "consumer" protocol type's embedded formats: what a member puts in JoinGroup's
// protocol metadata (its subscription) and what the leader hands out in SyncGroup (an
// assignment). Kafka's ConsumerProtocolSubscription and ConsumerProtocolAssignment, v0-3;
// the fields of later versions that Brook does not need are skipped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"

namespace brook::protocol {

struct consumer_subscription {
  int16_t version = 0;
  std::vector<std::string> topics;
};

struct consumer_assignment {
  int16_t version = 0;
  std::map<std::string, std::vector<int32_t>> partitions;  // topic -> partitions
};

// protocol_errc::malformed when the bytes are not such a message.
result<consumer_subscription> parse_consumer_subscription(std::span<const std::byte> data);
result<consumer_assignment> parse_consumer_assignment(std::span<const std::byte> data);

// Version 0 of each (what every client reads), with no user data: what Brook's own group
// members send (the REST Proxy's consumer sessions).
std::vector<std::byte> encode_consumer_subscription(const std::vector<std::string>& topics);
std::vector<std::byte> encode_consumer_assignment(
    const std::map<std::string, std::vector<int32_t>>& partitions);

}  // namespace brook::protocol
