// libFuzzer target: the SASL servers (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) fed the client
// messages an unauthenticated client controls.
//
// The input's first byte picks the mechanism; the rest is split at each "\n--\n" into up
// to four client messages, given to one server in turn, as SaslAuthenticate tokens would
// be. The server knows one user, "alice" with password "pw" (a credential of few
// iterations, so that PLAIN's password check stays fast), and uses a fixed server nonce,
// so mutated client-final messages can carry the right nonce and reach the proof check.
//
// For every input: no crash and no sanitizer report; each step answers exactly once; after
// a failure or a success every later step fails; a success names User:alice and only
// after a message that knew the password (PLAIN) or a valid proof (SCRAM), which the
// fuzzer cannot forge: a success for any other user name aborts.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "security/plain_server.h"
#include "security/scram_server.h"

namespace brook::security {
namespace {

class one_user final : public credential_source {
 public:
  one_user() {
    for (auto m : {scram_mechanism::sha256, scram_mechanism::sha512}) {
      _alice[m] = scram_credential_from_password(m, "pw", 2);
    }
  }
  std::optional<scram_credential> find(std::string_view user, scram_mechanism m) const override {
    if (user != "alice") {
      return std::nullopt;
    }
    return _alice.at(m);
  }
  scram_credential decoy(std::string_view, scram_mechanism m) const override {
    return scram_credential_from_password(m, "decoy", 2);
  }

 private:
  std::map<scram_mechanism, scram_credential> _alice;
};

[[noreturn]] void property_failed(const char* what) {
  std::fprintf(stderr, "sasl_fuzz: %s\n", what);
  std::abort();
}

std::vector<std::string_view> messages_of(std::string_view rest) {
  std::vector<std::string_view> out;
  constexpr std::string_view separator = "\n--\n";
  while (out.size() < 3) {
    const size_t at = rest.find(separator);
    if (at == std::string_view::npos) {
      break;
    }
    out.push_back(rest.substr(0, at));
    rest.remove_prefix(at + separator.size());
  }
  out.push_back(rest);
  return out;
}

}  // namespace
}  // namespace brook::security

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace brook::security;
  static const one_user users;
  if (size == 0) {
    return 0;
  }
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::unique_ptr<sasl_server> server;
  switch (static_cast<uint8_t>(input[0]) % 3) {
    case 0:
      server = std::make_unique<plain_server>(users);
      break;
    case 1:
      server = std::make_unique<scram_server>(scram_mechanism::sha256, users, "fuzznonce");
      break;
    default:
      server = std::make_unique<scram_server>(scram_mechanism::sha512, users, "fuzznonce");
      break;
  }
  bool ended = false;
  for (std::string_view message : messages_of(input.substr(1))) {
    int answers = 0;
    sasl_step step;
    server->step(message, [&](sasl_step s) {
      ++answers;
      step = std::move(s);
    });
    if (answers != 1) {
      property_failed("a step did not answer exactly once");
    }
    if (ended && step.outcome != sasl_step::state::failure) {
      property_failed("a step after the exchange ended did not fail");
    }
    if (step.outcome == sasl_step::state::success) {
      if (server->authenticated() != principal{"User", "alice"}) {
        property_failed("a success for someone other than alice");
      }
    }
    ended = ended || step.outcome != sasl_step::state::challenge;
  }
  return 0;
}
