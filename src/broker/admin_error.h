// The outcome of an administrative operation: a Kafka error code and the message that
// goes into the response's error_message (CreateTopics v1+, DescribeConfigs...).
#pragma once

#include <optional>
#include <string>

#include "protocol/kafka_result.h"

namespace brook::broker {

using admin_error = protocol::kafka_failure;
using admin_status = std::optional<admin_error>;  // nullopt: done

}  // namespace brook::broker
