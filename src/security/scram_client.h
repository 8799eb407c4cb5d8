// scram_client: the client side of SCRAM-SHA-256/512 (RFC 5802), for Brook's own clients
// (the `brook` commands) and tests:
//   first_message()            "n,,n=<user>,r=<nonce>"
//   final_message(server-first) "c=biws,r=<nonce>,p=<proof>", or why the server's message
//                               is refused (a nonce not extending ours, too few iterations)
//   verify(server-final)        whether the server proved it knows the credential
#pragma once

#include <string>
#include <string_view>

#include "base/expected.h"
#include "security/scram_credential.h"

namespace brook::security {

class scram_client {
 public:
  scram_client(scram_mechanism mechanism, std::string user, std::string password);

  std::string first_message() const;
  expected<std::string, std::string> final_message(std::string_view server_first);
  bool verify(std::string_view server_final) const;

 private:
  scram_mechanism _mechanism;
  std::string _user;
  std::string _password;
  std::string _nonce;
  std::string _auth_message;
  std::string _salted_password;
};

}  // namespace brook::security
