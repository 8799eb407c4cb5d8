// libFuzzer target: the JWT and JWK decoders and the token check behind SASL OAUTHBEARER
// and HTTP Bearer, fed what a client (or a hostile issuer) controls.
//
// The input's first byte picks what the rest is: 0, a token checked by jwt_validator
// against a key set of one RSA and one EC key made at start-up (so no input can carry a
// valid signature); 1, a JWK Set document; 2, an OAUTHBEARER client message given to
// oauthbearer_server over the same validator.
//
// For every input: no crash and no sanitizer report; the validator answers exactly once
// and never accepts (a token the fuzzer made cannot be signed by keys it never saw); a key
// set lists each key it kept under its kid; the SASL server fails.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "base/base64.h"
#include "security/json_web_key.h"
#include "security/jwt_validator.h"
#include "security/oauthbearer_server.h"

namespace brook::security {
namespace {

std::string bytes_of(const BIGNUM* n) {
  std::string out(static_cast<size_t>(BN_num_bytes(n)), '\0');
  BN_bn2bin(n, reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

// The public halves of a fresh RSA 2048 key ("rsa") and a fresh P-256 key ("ec").
std::string fresh_key_set() {
  EVP_PKEY* rsa = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048});
  EVP_PKEY* ec = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  BIGNUM* n = nullptr;
  BIGNUM* e = nullptr;
  EVP_PKEY_get_bn_param(rsa, OSSL_PKEY_PARAM_RSA_N, &n);
  EVP_PKEY_get_bn_param(rsa, OSSL_PKEY_PARAM_RSA_E, &e);
  unsigned char point[65];
  size_t len = 0;
  EVP_PKEY_get_octet_string_param(ec, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point, &len);
  const std::string_view p(reinterpret_cast<const char*>(point), len);
  std::string doc = R"({"keys":[{"kty":"RSA","kid":"rsa","n":")" + base64url_encode(bytes_of(n)) +
                    R"(","e":")" + base64url_encode(bytes_of(e)) +
                    R"("},{"kty":"EC","kid":"ec","crv":"P-256","x":")" +
                    base64url_encode(p.substr(1, 32)) + R"(","y":")" +
                    base64url_encode(p.substr(33, 32)) + "\"}]}";
  BN_free(n);
  BN_free(e);
  EVP_PKEY_free(rsa);
  EVP_PKEY_free(ec);
  return doc;
}

class fixed_keys final : public key_source {
 public:
  fixed_keys() {
    auto set = parse_json_web_key_set(fresh_key_set());
    if (!set || set->keys.size() != 2) {
      std::fprintf(stderr, "the fuzzer's own key set is not taken\n");
      std::abort();
    }
    _keys = std::make_shared<const json_web_key_set>(std::move(*set));
  }
  void keys_for(std::string_view, keys_fn done) override { done(_keys, ""); }

 private:
  std::shared_ptr<const json_web_key_set> _keys;
};

fixed_keys& keys() {
  static fixed_keys k;
  return k;
}

const jwt_validator& validator() {
  static const jwt_validator v({"https://issuer.test", {"brook"}, "sub", std::chrono::seconds(30)},
                               keys());
  return v;
}

void check_token(std::string_view text) {
  int answers = 0;
  validator().validate(text, [&](token_verdict v) {
    ++answers;
    if (v.who) {
      std::fprintf(stderr, "a token the fuzzer made was accepted as %s\n",
                   v.who->to_string().c_str());
      std::abort();
    }
    if (v.reason.empty()) {
      std::fprintf(stderr, "a refusal without a reason\n");
      std::abort();
    }
  });
  if (answers != 1) {
    std::fprintf(stderr, "the validator answered %d times\n", answers);
    std::abort();
  }
}

void check_key_set(std::string_view text) {
  auto set = parse_json_web_key_set(text);
  if (!set) {
    return;
  }
  for (const auto& [kid, key] : set->keys) {
    if (kid != key.kid() || (key.kty() != "RSA" && key.kty() != "EC")) {
      std::fprintf(stderr, "a key kept under the wrong kid or of an unknown type\n");
      std::abort();
    }
    (void)key.verify("ES256", "a.b", "sig");
    (void)key.verify("RS256", "a.b", std::string(256, 'x'));
  }
}

void check_message(std::string_view text) {
  oauthbearer_server server(validator());
  int answers = 0;
  server.step(text, [&](sasl_step step) {
    ++answers;
    if (step.outcome != sasl_step::state::failure) {
      std::fprintf(stderr, "an OAUTHBEARER message the fuzzer made was not refused\n");
      std::abort();
    }
  });
  if (answers != 1) {
    std::abort();
  }
}

}  // namespace
}  // namespace brook::security

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) {
    return 0;
  }
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      brook::security::check_token(rest);
      break;
    case 1:
      brook::security::check_key_set(rest);
      break;
    default:
      brook::security::check_message(rest);
      break;
  }
  return 0;
}
