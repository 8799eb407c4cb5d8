// scram_server: the server side of SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677)
// as Kafka speaks it: two client messages, no channel binding. One method per state:
//   client-first  "n,[a=<authzid>],n=<user>,r=<client nonce>[,<extensions>]"
//                 -> server-first "r=<client nonce><server nonce>,s=<salt>,i=<iterations>"
//   client-final  "c=<base64 gs2 header>,r=[...]<nonce>[,<extensions>],p=<proof>"
//                 -> server-final "v=<server signature>"   (success)
// Anything else fails: a malformed message, channel binding asked for, an authzid other
// than the user, the delegation-token extension, a wrong nonce or channel binding, a
// wrong proof, a message after the end. An unknown user gets the decoy credential's salt
// and fails at the proof, as a wrong password does.
#pragma once

#include <string>

#include "security/credential_source.h"
#include "security/sasl_server.h"

namespace brook::security {

class scram_server final : public sasl_server {
 public:
  // `users` outlives the server.
  scram_server(scram_mechanism mechanism, const credential_source& users);
  // A fixed server nonce, for tests with known vectors.
  scram_server(scram_mechanism mechanism, const credential_source& users, std::string nonce);

  std::string_view mechanism() const override { return scram_mechanism_name(_mechanism); }
  void step(std::string_view client_message, done_fn done) override;

 private:
  enum class state { client_first, client_final, complete, failed };

  sasl_step client_first(std::string_view message);
  sasl_step client_final(std::string_view message);
  sasl_step fail(std::string reason);

  scram_mechanism _mechanism;
  const credential_source& _users;
  std::string _server_nonce;
  state _state = state::client_first;
  scram_credential _credential;
  std::string _gs2_header;         // "n,," or "n,a=<authzid>,"
  std::string _client_first_bare;  // the client-first message after the gs2 header
  std::string _server_first;
  std::string _nonce;  // client nonce + server nonce
};

}  // namespace brook::security
