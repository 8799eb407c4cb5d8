#include "protocol/errc.h"

#include <string>

namespace brook::protocol {

namespace {
class category : public std::error_category {
 public:
  const char* name() const noexcept override { return "protocol"; }
  std::string message(int v) const override {
    switch (static_cast<protocol_errc>(v)) {
      case protocol_errc::malformed:
        return "malformed Kafka message";
      case protocol_errc::unsupported_version:
        return "unsupported API version";
      case protocol_errc::frame_too_large:
        return "request frame too large";
    }
    return "unknown protocol error";
  }
};
}  // namespace

const std::error_category& protocol_category() {
  static const category c;
  return c;
}

std::error_code make_error_code(protocol_errc e) {
  return {static_cast<int>(e), protocol_category()};
}

}  // namespace brook::protocol
