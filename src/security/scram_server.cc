#include "security/scram_server.h"

#include <vector>

#include "base/base64.h"

namespace brook::security {
namespace {

// The attributes of a SCRAM message, in order: "k=value" separated by ','.
struct attribute {
  char key = 0;
  std::string_view value;
};

std::optional<std::vector<attribute>> attributes_of(std::string_view message) {
  std::vector<attribute> out;
  size_t pos = 0;
  while (pos <= message.size()) {
    size_t end = message.find(',', pos);
    if (end == std::string_view::npos) {
      end = message.size();
    }
    std::string_view part = message.substr(pos, end - pos);
    if (part.size() < 2 || part[1] != '=' || !std::isalpha(static_cast<unsigned char>(part[0]))) {
      return std::nullopt;
    }
    out.push_back({part[0], part.substr(2)});
    pos = end + 1;
  }
  return out;
}

// A saslname (RFC 5802 section 5.1): "=2C" is ',', "=3D" is '=', any other '=' is invalid.
std::optional<std::string> decode_saslname(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '=') {
      out += s[i];
    } else if (s.substr(i, 3) == "=2C") {
      out += ',';
      i += 2;
    } else if (s.substr(i, 3) == "=3D") {
      out += '=';
      i += 2;
    } else {
      return std::nullopt;
    }
  }
  if (out.empty()) {
    return std::nullopt;
  }
  return out;
}

// A nonce: printable ASCII but ','.
bool valid_nonce(std::string_view s) {
  if (s.empty()) {
    return false;
  }
  for (char c : s) {
    if (c < 0x21 || c > 0x7e || c == ',') {
      return false;
    }
  }
  return true;
}

std::string xor_of(std::string_view a, std::string_view b) {
  std::string out(a);
  for (size_t i = 0; i < out.size() && i < b.size(); ++i) {
    out[i] = static_cast<char>(out[i] ^ b[i]);
  }
  return out;
}

}  // namespace

scram_server::scram_server(scram_mechanism mechanism, const credential_source& users)
    : scram_server(mechanism, users, base64_encode(random_bytes(24))) {}

scram_server::scram_server(scram_mechanism mechanism, const credential_source& users,
                           std::string nonce)
    : _mechanism(mechanism), _users(users), _server_nonce(std::move(nonce)) {}

void scram_server::step(std::string_view client_message, done_fn done) {
  switch (_state) {
    case state::client_first:
      done(client_first(client_message));
      return;
    case state::client_final:
      done(client_final(client_message));
      return;
    case state::complete:
    case state::failed:
      done(fail("a message after the exchange ended"));
      return;
  }
}

sasl_step scram_server::fail(std::string reason) {
  _state = state::failed;
  return sasl_step{sasl_step::state::failure, {}, std::move(reason)};
}

sasl_step scram_server::client_first(std::string_view message) {
  // gs2-header: cbind-flag "," [authzid] ","
  if (message.size() < 3) {
    return fail("malformed client-first message");
  }
  if (message[0] == 'p') {
    return fail("channel binding is not supported");
  }
  if ((message[0] != 'n' && message[0] != 'y') || message[1] != ',') {
    return fail("malformed client-first message");
  }
  const size_t authz_end = message.find(',', 2);
  if (authz_end == std::string_view::npos) {
    return fail("malformed client-first message");
  }
  std::string_view authzid_attr = message.substr(2, authz_end - 2);
  std::optional<std::string> authzid;
  if (!authzid_attr.empty()) {
    if (authzid_attr.substr(0, 2) != "a=") {
      return fail("malformed client-first message");
    }
    authzid = decode_saslname(authzid_attr.substr(2));
    if (!authzid) {
      return fail("malformed authorization id");
    }
  }
  _gs2_header = std::string(message.substr(0, authz_end + 1));
  _client_first_bare = std::string(message.substr(authz_end + 1));

  auto attrs = attributes_of(_client_first_bare);
  if (!attrs || attrs->size() < 2 || (*attrs)[0].key != 'n' || (*attrs)[1].key != 'r') {
    return fail("malformed client-first message");
  }
  auto user = decode_saslname((*attrs)[0].value);
  if (!user) {
    return fail("malformed user name");
  }
  _attempted_user = *user;
  if (!valid_nonce((*attrs)[1].value)) {
    return fail("malformed client nonce");
  }
  // Extensions (RFC 5802 leaves them open; Kafka's one is tokenauth=true, KIP-48).
  if (_client_first_bare.find(",tokenauth=") != std::string::npos) {
    return fail("delegation tokens are not supported");
  }
  if (authzid && *authzid != *user) {
    return fail("the authorization id differs from the user name");
  }
  auto found = _users.find(*user, _mechanism);
  _credential = found ? std::move(*found) : _users.decoy(*user, _mechanism);
  _nonce = std::string((*attrs)[1].value) + _server_nonce;
  _server_first = "r=" + _nonce + ",s=" + base64_encode(_credential.salt) +
                  ",i=" + std::to_string(_credential.iterations);
  _state = state::client_final;
  return sasl_step{sasl_step::state::challenge, _server_first, {}};
}

sasl_step scram_server::client_final(std::string_view message) {
  const size_t proof_at = message.rfind(",p=");
  if (proof_at == std::string_view::npos) {
    return fail("malformed client-final message");
  }
  const std::string_view without_proof = message.substr(0, proof_at);
  auto attrs = attributes_of(without_proof);
  if (!attrs || attrs->size() < 2 || (*attrs)[0].key != 'c' || (*attrs)[1].key != 'r') {
    return fail("malformed client-final message");
  }
  auto binding = base64_decode((*attrs)[0].value);
  if (!binding || *binding != _gs2_header) {
    return fail("the channel binding does not match the client-first message");
  }
  // The nonce must end with the whole nonce of server-first. Kafka checks only that (and
  // librdkafka up to 2.x sends its client nonce twice, "r=<client nonce><nonce>"); the
  // server's random part is in it either way, so a replayed message still fails.
  const std::string_view nonce = (*attrs)[1].value;
  if (nonce.size() < _nonce.size() || nonce.substr(nonce.size() - _nonce.size()) != _nonce) {
    return fail("the nonce does not match");
  }
  auto proof = base64_decode(message.substr(proof_at + 3));
  const digest d = digest_of(_mechanism);
  if (!proof || proof->size() != digest_size(d)) {
    return fail("malformed client proof");
  }
  const std::string auth_message =
      _client_first_bare + "," + _server_first + "," + std::string(without_proof);
  const std::string client_signature = hmac(d, _credential.stored_key, auth_message);
  const std::string client_key = xor_of(*proof, client_signature);
  if (!equal_constant_time(hash(d, client_key), _credential.stored_key)) {
    return fail("invalid credentials");
  }
  _state = state::complete;
  _principal = principal{"User", _attempted_user};
  _bound = true;
  return sasl_step{sasl_step::state::success,
                   "v=" + base64_encode(hmac(d, _credential.server_key, auth_message)),
                   {}};
}

}  // namespace brook::security
