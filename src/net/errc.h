// net::errc: the network layer's own errors (system errors such as EADDRINUSE come as
// std::system_category codes).
#pragma once

#include <system_error>

namespace brook::net {

enum class errc {
  bad_address = 1,  // the host to listen on is not an IP address
};

const std::error_category& net_category();
inline std::error_code make_error_code(errc e) {
  return {static_cast<int>(e), net_category()};
}

}  // namespace brook::net

template <>
struct std::is_error_code_enum<brook::net::errc> : std::true_type {};
