// Errors of the Kafka wire codec.
#pragma once

#include <system_error>

namespace brook::protocol {

enum class protocol_errc {
  malformed = 1,        // truncated, a negative length where none is allowed, bad varint
  unsupported_version,  // a version outside the message's schema
  frame_too_large,      // a request frame above the configured maximum
};
const std::error_category& protocol_category();
std::error_code make_error_code(protocol_errc e);

}  // namespace brook::protocol

template <>
struct std::is_error_code_enum<brook::protocol::protocol_errc> : std::true_type {};
