#include "http/rest/rest_error.h"

namespace brook::http::rest {

rest_error from_backend(const backend::backend_error& e) {
  using protocol::kafka_error;
  auto msg = e.message.empty() ? std::string(protocol::kafka_error_name(e.code)) : e.message;
  switch (e.code) {
    case kafka_error::unknown_topic_or_partition:
    case kafka_error::unknown_topic_id:
      return rest_error::make(error_codes::topic_not_found, msg);
    case kafka_error::topic_authorization_failed:
    case kafka_error::group_authorization_failed:
    case kafka_error::cluster_authorization_failed:
    case kafka_error::transactional_id_authorization_failed:
      return rest_error::make(error_codes::forbidden, msg);
    case kafka_error::offset_out_of_range:
      return rest_error::make(error_codes::invalid_offset_or_partition, msg);
    case kafka_error::group_id_not_found:
      return rest_error::make(error_codes::not_found, msg);
    case kafka_error::non_empty_group:  // deleting a group with members
      return rest_error::make(409, msg);
    case kafka_error::message_too_large:
    case kafka_error::record_list_too_large:
      return rest_error::make(error_codes::record_too_large, msg);
    case kafka_error::topic_already_exists:
    case kafka_error::invalid_partitions:
    case kafka_error::invalid_replication_factor:
    case kafka_error::invalid_config:
    case kafka_error::invalid_topic_exception:
    case kafka_error::invalid_request:
    case kafka_error::invalid_record:     // a keyless record to a compacted topic
    case kafka_error::invalid_timestamp:  // message.timestamp.*.max.ms
      return rest_error::make(error_codes::kafka_bad_request, msg);
    case kafka_error::policy_violation:  // a server limit, such as kafka.max_partitions
      return rest_error::make(error_codes::unprocessable_entity, msg);
    case kafka_error::request_timed_out:
    case kafka_error::not_enough_replicas:
    case kafka_error::leader_not_available:
    case kafka_error::not_leader_or_follower:
    case kafka_error::kafka_storage_error:
    case kafka_error::coordinator_not_available:
    case kafka_error::coordinator_load_in_progress:
    case kafka_error::not_coordinator:
    case kafka_error::rebalance_in_progress:
      return rest_error::make(error_codes::kafka_retriable_error, msg);
    default:
      return rest_error::make(error_codes::kafka_error, msg);
  }
}

}  // namespace brook::http::rest
