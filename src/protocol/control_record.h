// Control records: the markers that end a transaction in each partition it wrote to
// (doc/formats/transactions.md#markers). A control batch carries the
// transactional and control attribute bits, the producer's id and epoch, base sequence
// -1, and one record whose key says the marker's type (version int16 0, type int16) and
// whose value names the coordinator's epoch (version int16 0, coordinator epoch int32).
// Applications never see them: clients skip control batches.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "protocol/record_batch.h"

namespace brook::protocol {

// Kafka's ControlRecordType values for transaction markers.
enum class control_type : int16_t { abort = 0, commit = 1 };

// Batch attribute bits.
constexpr int16_t transactional_attribute = 0x10;
constexpr int16_t control_attribute = 0x20;

// The control batch ending producer `producer_id`'s transaction at `epoch` with a
// `type` marker: base offset 0, uncompressed, CRC set, its one record timestamped
// `timestamp_ms`.
std::string build_marker_batch(int64_t producer_id, int16_t epoch, control_type type,
                               int32_t coordinator_epoch, int64_t timestamp_ms);

// The marker type of the control batch at the front of `batch` (checked by
// validate_batch): nullopt when its record does not decode or is not a transaction
// marker (another control type, or a batch that is not a control batch).
std::optional<control_type> marker_type(std::span<const std::byte> batch);

}  // namespace brook::protocol
