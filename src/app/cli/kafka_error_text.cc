#include "app/cli/kafka_error_text.h"

#include <fmt/format.h>

#include "protocol/kafka_error.h"

namespace brook::app {

namespace P = protocol;

std::string error_name(int16_t code) {
  auto name = P::kafka_error_name(static_cast<P::kafka_error>(code));
  if (name == "UNKNOWN") {
    return fmt::format("Kafka error code {}", code);
  }
  return std::string(name);
}

std::string explain(int16_t code) {
  std::string name = error_name(code);
  switch (static_cast<P::kafka_error>(code)) {
    case P::kafka_error::non_empty_group:
      return name + ": the group has active members; stop its consumers first";
    case P::kafka_error::group_id_not_found:
      return name + ": no such group";
    case P::kafka_error::invalid_group_id:
      return name + ": not a valid group id";
    case P::kafka_error::group_authorization_failed:
      return name + ": not authorized for this group";
    case P::kafka_error::coordinator_not_available:
    case P::kafka_error::coordinator_load_in_progress:
      return name + ": the group coordinator is not ready; try again";
    case P::kafka_error::not_coordinator:
      return name + ": the broker is no longer the group's coordinator; try again";
    case P::kafka_error::unknown_member_id:
    case P::kafka_error::illegal_generation:
    case P::kafka_error::rebalance_in_progress:
      return name + ": the group has active members now";
    case P::kafka_error::unknown_topic_or_partition:
      return name + ": no such topic or partition";
    default:
      return name;
  }
}

}  // namespace brook::app
