// The event backend answers with protocol::kafka_result (see protocol/kafka_result.h): a
// value or a Kafka error code with a message. These names are the backend's spelling of it.
#pragma once

#include "protocol/kafka_result.h"

namespace brook::backend {

using backend_error = protocol::kafka_failure;
template <typename T>
using outcome = protocol::kafka_result<T>;

}  // namespace brook::backend
