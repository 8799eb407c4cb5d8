// The state blob of a group in groups.db (doc/formats/groups-db.md): its protocol,
// generation, leader and members with their assignments, so a restarted broker knows the
// group's members. Offsets are stored in their own rows, not here.
#pragma once

#include <span>

#include "base/result.h"
#include "broker/group/group.h"

namespace brook::broker::group {

bytes encode_group_state(const group& g);
// Fills the protocol, generation, leader, members and state (Stable with members, Empty
// without) of `g`; protocol_errc::malformed or unsupported_version for a bad blob.
status decode_group_state(std::span<const std::byte> blob, group& g, clock::time_point now);

}  // namespace brook::broker::group
