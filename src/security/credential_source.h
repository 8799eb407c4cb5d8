// credential_source: where SASL servers look up users' SCRAM credentials (the user
// directory; tests give a map).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "security/scram_credential.h"

namespace brook::security {

class credential_source {
 public:
  virtual ~credential_source() = default;
  virtual std::optional<scram_credential> find(std::string_view user,
                                               scram_mechanism mechanism) const = 0;
  // A credential that no password matches, the same for the same user every time, so that
  // a login as an unknown user looks like one with a wrong password.
  virtual scram_credential decoy(std::string_view user, scram_mechanism mechanism) const = 0;
  // Changes whenever a credential is added, changed or removed, so that a cache of checked
  // passwords knows when to forget them (a source that never changes keeps 0).
  virtual uint64_t generation() const { return 0; }
};

}  // namespace brook::security
