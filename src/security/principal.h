// principal: who a request acts for, in Kafka's form "<type>:<name>" ("User:alice"). Every
// Kafka request and HTTP request carries one; until authentication exists every client is
// User:ANONYMOUS, as on a Kafka PLAINTEXT listener.
#pragma once

#include <string>
#include <string_view>

namespace brook::security {

struct principal {
  std::string type = "User";
  std::string name = "ANONYMOUS";

  static principal anonymous() { return {}; }
  std::string to_string() const { return type + ":" + name; }
  bool operator==(const principal&) const = default;
};

}  // namespace brook::security
