// The one place internal errors become Kafka error codes.
#pragma once

#include <system_error>

#include "protocol/kafka_error.h"

namespace brook::broker {

// For Produce, Fetch and ListOffsets partition results.
protocol::kafka_error to_kafka_error(const std::error_code& ec);

}  // namespace brook::broker
