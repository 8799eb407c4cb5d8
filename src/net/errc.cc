#include "net/errc.h"

#include <string>

namespace brook::net {

namespace {

class category : public std::error_category {
 public:
  const char* name() const noexcept override { return "brook.net"; }
  std::string message(int e) const override {
    switch (static_cast<errc>(e)) {
      case errc::bad_address:
        return "not an IP address to listen on";
    }
    return "unknown network error";
  }
};

}  // namespace

const std::error_category& net_category() {
  static const category c;
  return c;
}

}  // namespace brook::net
