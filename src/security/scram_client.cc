#include "security/scram_client.h"

#include <charconv>

#include "base/base64.h"

namespace brook::security {
namespace {

// RFC 5802 saslname: ',' and '=' escaped.
std::string encode_saslname(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == ',') {
      out += "=2C";
    } else if (c == '=') {
      out += "=3D";
    } else {
      out += c;
    }
  }
  return out;
}

// The value of attribute `key` in a "k=v,k=v" message; empty when absent.
std::string_view attribute(std::string_view message, char key) {
  size_t pos = 0;
  while (pos < message.size()) {
    size_t end = message.find(',', pos);
    if (end == std::string_view::npos) {
      end = message.size();
    }
    if (end - pos >= 2 && message[pos] == key && message[pos + 1] == '=') {
      return message.substr(pos + 2, end - pos - 2);
    }
    pos = end + 1;
  }
  return {};
}

}  // namespace

scram_client::scram_client(scram_mechanism mechanism, std::string user, std::string password)
    : _mechanism(mechanism),
      _user(std::move(user)),
      _password(std::move(password)),
      _nonce(base64_encode(random_bytes(24))) {}

std::string scram_client::first_message() const {
  return "n,,n=" + encode_saslname(_user) + ",r=" + _nonce;
}

expected<std::string, std::string> scram_client::final_message(std::string_view server_first) {
  const std::string_view nonce = attribute(server_first, 'r');
  const auto salt = base64_decode(attribute(server_first, 's'));
  const std::string_view iterations_text = attribute(server_first, 'i');
  int iterations = 0;
  auto [end, ec] = std::from_chars(iterations_text.data(),
                                   iterations_text.data() + iterations_text.size(), iterations);
  if (nonce.size() <= _nonce.size() || nonce.substr(0, _nonce.size()) != _nonce) {
    return unexpected(std::string("the server's nonce does not extend the client's"));
  }
  if (!salt || ec != std::errc() || iterations < min_scram_iterations) {
    return unexpected(std::string("malformed server-first message"));
  }
  const digest d = digest_of(_mechanism);
  _salted_password = pbkdf2(d, _password, *salt, iterations);
  const std::string client_key = hmac(d, _salted_password, "Client Key");
  const std::string without_proof = "c=biws,r=" + std::string(nonce);
  _auth_message = first_message().substr(3) + "," + std::string(server_first) + "," + without_proof;
  const std::string signature = hmac(d, hash(d, client_key), _auth_message);
  std::string proof = client_key;
  for (size_t i = 0; i < proof.size(); ++i) {
    proof[i] = static_cast<char>(proof[i] ^ signature[i]);
  }
  return without_proof + ",p=" + base64_encode(proof);
}

bool scram_client::verify(std::string_view server_final) const {
  if (_salted_password.empty()) {
    return false;
  }
  const digest d = digest_of(_mechanism);
  const auto signature = base64_decode(attribute(server_final, 'v'));
  const std::string expected_signature =
      hmac(d, hmac(d, _salted_password, "Server Key"), _auth_message);
  return signature && equal_constant_time(*signature, expected_signature);
}

}  // namespace brook::security
