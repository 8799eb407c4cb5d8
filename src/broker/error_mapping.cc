#include "broker/error_mapping.h"

#include "protocol/compression.h"
#include "protocol/errc.h"
#include "protocol/record_batch.h"
#include "storage/errc.h"

namespace brook::broker {

using protocol::kafka_error;

kafka_error to_kafka_error(const std::error_code& ec) {
  if (!ec) {
    return kafka_error::none;
  }
  if (ec.category() == protocol::batch_category()) {
    switch (static_cast<protocol::batch_errc>(ec.value())) {
      case protocol::batch_errc::too_large:
        return kafka_error::message_too_large;
      case protocol::batch_errc::bad_compression:
        return kafka_error::unsupported_compression_type;
      default:
        return kafka_error::corrupt_message;  // bad CRC, truncated, bad lengths
    }
  }
  if (ec.category() == storage::storage_category()) {
    switch (static_cast<storage::errc>(ec.value())) {
      case storage::errc::offset_out_of_range:
        return kafka_error::offset_out_of_range;
      case storage::errc::batch_too_large:
        return kafka_error::message_too_large;
      case storage::errc::empty_append:
        return kafka_error::corrupt_message;
      case storage::errc::log_closed:
        return kafka_error::unknown_topic_or_partition;  // deleted meanwhile
      case storage::errc::offsets_not_rising:
        return kafka_error::corrupt_message;
      case storage::errc::out_of_order_sequence:
        return kafka_error::out_of_order_sequence_number;
      case storage::errc::invalid_producer_epoch:
        return kafka_error::invalid_producer_epoch;
      case storage::errc::invalid_sequence:
      case storage::errc::control_batch_refused:
        return kafka_error::invalid_record;
      case storage::errc::transaction_refused:
        return kafka_error::invalid_txn_state;
      case storage::errc::log_failed:
      default:
        return kafka_error::kafka_storage_error;
    }
  }
  if (ec.category() == protocol::compression_category()) {
    switch (static_cast<protocol::compression_errc>(ec.value())) {
      case protocol::compression_errc::unsupported:
        return kafka_error::unsupported_compression_type;
      default:
        return kafka_error::corrupt_message;
    }
  }
  if (ec.category() == protocol::protocol_category()) {
    return kafka_error::corrupt_message;
  }
  if (ec.category() == std::system_category() || ec.category() == std::generic_category()) {
    return kafka_error::kafka_storage_error;  // ENOSPC, EIO...
  }
  return kafka_error::unknown_server_error;
}

}  // namespace brook::broker
