// legacy_message_set: Kafka's message sets of magic 0 and 1 (the on-wire format of Kafka
// 0.8 to 0.10, sent by clients configured for brokers of that era), read and up-converted
// to one v2 record batch on the way in, as Kafka 3.x does on append. The format is
// written out in doc/formats/record-batch.md#message-sets-magic-0-and-1:
//   message set  repeated [int64 offset][int32 size][message of `size` bytes]
//   message      int32 crc (CRC-32, IEEE, over magic .. end), int8 magic, int8 attributes
//                (bits 0-2 codec, bit 3 LogAppendTime in v1), int64 timestamp (v1 only),
//                bytes key, bytes value (int32 length, -1 null)
//   compressed   a message whose codec is not none holds, as its value, a compressed
//                message set of uncompressed messages of the same magic (a "wrapper")
#pragma once

#include <cstddef>
#include <span>
#include <string>

#include "base/result.h"
#include "protocol/compression.h"
#include "protocol/record_batch.h"

namespace brook::protocol {

// The magic byte of the first message of a message set or batch, or -1 when `data` is
// too short to hold one.
int magic_of(std::span<const std::byte> data);

// One v2 batch (base offset 0, no producer) holding every record of the message set
// `data` (magic 0 or 1), in order: keys and values (null kept), timestamps (v1; -1 for
// v0, or the wrapper's for a LogAppendTime wrapper), compressed with the codec of the
// set's first compressed wrapper (none if there is none). Every message's CRC is checked;
// decompressed data past `max_records_size` is compression_errc::too_large. A set that
// does not parse exactly, a bad CRC, a nested wrapper, zstd (not allowed before v2), or an
// empty set is batch_errc::bad_records or bad_crc, with the reason in `why`.
result<std::string> upconvert_message_set(std::span<const std::byte> data, std::string& why,
                                          size_t max_records_size = default_max_records_size);

}  // namespace brook::protocol
