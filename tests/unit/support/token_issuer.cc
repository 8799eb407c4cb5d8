#include "support/token_issuer.h"

#include <ctime>
#include <stdexcept>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "base/base64.h"
#include "security/json_web_key.h"

namespace brook::test {

namespace {

std::string big_endian(const BIGNUM* n, int width = 0) {
  std::string out(static_cast<size_t>(width > 0 ? width : BN_num_bytes(n)), '\0');
  BN_bn2binpad(n, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(out.size()));
  return out;
}

class fixed_keys final : public security::key_source {
 public:
  explicit fixed_keys(std::shared_ptr<const security::json_web_key_set> keys)
      : _keys(std::move(keys)) {}
  void keys_for(std::string_view, keys_fn done) override { done(_keys, ""); }

 private:
  std::shared_ptr<const security::json_web_key_set> _keys;
};

}  // namespace

token_issuer::token_issuer(std::string issuer, key_type type, std::string kid)
    : _issuer(std::move(issuer)),
      _alg(type == key_type::rsa ? "RS256" : "ES256"),
      _kid(std::move(kid)) {
  _key = type == key_type::rsa ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048})
                               : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  if (_key == nullptr) {
    throw std::runtime_error("key generation failed");
  }
  auto set = security::parse_json_web_key_set(jwks());
  if (!set || set->keys.size() != 1) {
    throw std::runtime_error("the test issuer's own JWK Set is not taken");
  }
  _keys = std::make_unique<fixed_keys>(
      std::make_shared<const security::json_web_key_set>(std::move(*set)));
}

token_issuer::~token_issuer() {
  EVP_PKEY_free(_key);
}

token_issuer::claim_map token_issuer::claims(std::string_view sub, std::string_view aud) {
  return {{"sub", "\"" + std::string(sub) + "\""},
          {"aud", "\"" + std::string(aud) + "\""},
          {"exp", std::to_string(std::time(nullptr) + 3600)}};
}

std::string token_issuer::token(const claim_map& claims) const {
  std::string json = "{";
  claim_map all = claims;
  all.emplace("iss", "\"" + _issuer + "\"");
  for (const auto& [name, value] : all) {
    json += (json.size() > 1 ? "," : "") + ("\"" + name + "\":") + value;
  }
  json += "}";
  return sign(R"({"alg":")" + _alg + R"(","kid":")" + _kid + R"(","typ":"JWT"})", json);
}

std::string token_issuer::sign(std::string_view header_json, std::string_view claims_json) const {
  const std::string text = base64url_encode(header_json) + "." + base64url_encode(claims_json);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t len = 0;
  std::string sig;
  if (EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, _key) != 1 ||
      EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(text.data()),
                     text.size()) != 1) {
    throw std::runtime_error("signing failed");
  }
  sig.resize(len);
  if (EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(text.data()), text.size()) != 1) {
    throw std::runtime_error("signing failed");
  }
  EVP_MD_CTX_free(ctx);
  sig.resize(len);
  if (_alg == "ES256") {
    // DER to JWS's r || s.
    const auto* p = reinterpret_cast<const unsigned char*>(sig.data());
    ECDSA_SIG* ec = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
    sig = big_endian(ECDSA_SIG_get0_r(ec), 32) + big_endian(ECDSA_SIG_get0_s(ec), 32);
    ECDSA_SIG_free(ec);
  }
  return text + "." + base64url_encode(sig);
}

std::string token_issuer::jwks() const {
  std::string key;
  if (_alg == "RS256") {
    BIGNUM* n = nullptr;
    BIGNUM* e = nullptr;
    EVP_PKEY_get_bn_param(_key, OSSL_PKEY_PARAM_RSA_N, &n);
    EVP_PKEY_get_bn_param(_key, OSSL_PKEY_PARAM_RSA_E, &e);
    key = R"({"kty":"RSA","use":"sig","alg":"RS256","kid":")" + _kid + R"(","n":")" +
          base64url_encode(big_endian(n)) + R"(","e":")" + base64url_encode(big_endian(e)) + "\"}";
    BN_free(n);
    BN_free(e);
  } else {
    unsigned char point[65];
    size_t len = 0;
    EVP_PKEY_get_octet_string_param(_key, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point, &len);
    const std::string_view p(reinterpret_cast<const char*>(point), len);
    key = R"({"kty":"EC","use":"sig","crv":"P-256","kid":")" + _kid + R"(","x":")" +
          base64url_encode(p.substr(1, 32)) + R"(","y":")" + base64url_encode(p.substr(33, 32)) +
          "\"}";
  }
  return R"({"keys":[)" + key + "]}";
}

}  // namespace brook::test
