#include "security/json_web_key.h"

#include <array>
#include <cstdint>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <simdjson.h>

#include "base/base64.h"

namespace brook::security {

namespace {

struct algorithm {
  std::string_view name;
  std::string_view kty;
  std::string_view curve;  // EC only
  const EVP_MD* (*md)();
  bool pss;
};

constexpr std::array<algorithm, 9> algorithms = {{
    {"RS256", "RSA", "", EVP_sha256, false},
    {"RS384", "RSA", "", EVP_sha384, false},
    {"RS512", "RSA", "", EVP_sha512, false},
    {"PS256", "RSA", "", EVP_sha256, true},
    {"PS384", "RSA", "", EVP_sha384, true},
    {"PS512", "RSA", "", EVP_sha512, true},
    {"ES256", "EC", "P-256", EVP_sha256, false},
    {"ES384", "EC", "P-384", EVP_sha384, false},
    {"ES512", "EC", "P-521", EVP_sha512, false},
}};

const algorithm* find_algorithm(std::string_view name) {
  for (const auto& a : algorithms) {
    if (a.name == name) {
      return &a;
    }
  }
  return nullptr;
}

// OpenSSL's group name and the size of a coordinate, for a JWK curve.
struct curve {
  std::string_view jwk;
  const char* openssl;
  size_t bytes;
};
constexpr std::array<curve, 3> curves = {{
    {"P-256", "prime256v1", 32},
    {"P-384", "secp384r1", 48},
    {"P-521", "secp521r1", 66},
}};

const curve* find_curve(std::string_view name) {
  for (const auto& c : curves) {
    if (c.jwk == name) {
      return &c;
    }
  }
  return nullptr;
}

using pkey_ptr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// A public key from OSSL parameters built by `add`.
template <typename Add>
EVP_PKEY* key_from(const char* type, Add add) {
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  if (bld == nullptr) {
    return nullptr;
  }
  EVP_PKEY* key = nullptr;
  if (add(bld)) {
    OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
    if (params != nullptr && ctx != nullptr && EVP_PKEY_fromdata_init(ctx) == 1) {
      if (EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1) {
        key = nullptr;
      }
    }
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
  }
  OSSL_PARAM_BLD_free(bld);
  return key;
}

expected<EVP_PKEY*, std::string> rsa_key(std::string_view n, std::string_view e) {
  // Leading zero octets are not allowed by RFC 7518 but cost nothing to accept.
  std::unique_ptr<BIGNUM, decltype(&BN_free)> bn_n(
      BN_bin2bn(bytes(n), static_cast<int>(n.size()), nullptr), BN_free);
  std::unique_ptr<BIGNUM, decltype(&BN_free)> bn_e(
      BN_bin2bn(bytes(e), static_cast<int>(e.size()), nullptr), BN_free);
  if (!bn_n || !bn_e) {
    return unexpected(std::string("out of memory"));
  }
  if (BN_num_bits(bn_n.get()) < 2048) {
    return unexpected("an RSA key of " + std::to_string(BN_num_bits(bn_n.get())) +
                      " bits is too short (2048 at least)");
  }
  if (BN_is_zero(bn_e.get()) || !BN_is_odd(bn_e.get())) {
    return unexpected(std::string("the RSA exponent is not odd"));
  }
  EVP_PKEY* key = key_from("RSA", [&](OSSL_PARAM_BLD* bld) {
    return OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n.get()) == 1 &&
           OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e.get()) == 1;
  });
  if (key == nullptr) {
    return unexpected(std::string("not a valid RSA public key"));
  }
  return key;
}

expected<EVP_PKEY*, std::string> ec_key(const curve& c, std::string_view x, std::string_view y) {
  if (x.size() != c.bytes || y.size() != c.bytes) {
    return unexpected("the coordinates of a " + std::string(c.jwk) + " key are " +
                      std::to_string(c.bytes) + " bytes each");
  }
  std::string point;
  point.reserve(1 + 2 * c.bytes);
  point.push_back('\x04');  // uncompressed
  point.append(x);
  point.append(y);
  EVP_PKEY* key = key_from("EC", [&](OSSL_PARAM_BLD* bld) {
    return OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, c.openssl, 0) == 1 &&
           OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                            point.size()) == 1;
  });
  if (key == nullptr) {
    return unexpected("not a point of " + std::string(c.jwk));
  }
  // EVP_PKEY_fromdata does not check that the point is on the curve.
  EVP_PKEY_CTX* check = EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr);
  const bool on_curve = check != nullptr && EVP_PKEY_public_check(check) == 1;
  EVP_PKEY_CTX_free(check);
  if (!on_curve) {
    EVP_PKEY_free(key);
    return unexpected("not a point of " + std::string(c.jwk));
  }
  return key;
}

// The DER form OpenSSL verifies of a JWS ECDSA signature (r || s, each `n` bytes).
std::optional<std::string> ecdsa_der(std::string_view raw, size_t n) {
  if (raw.size() != 2 * n) {
    return std::nullopt;
  }
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(bytes(raw.substr(0, n)), static_cast<int>(n), nullptr);
  BIGNUM* s = BN_bin2bn(bytes(raw.substr(n)), static_cast<int>(n), nullptr);
  if (sig == nullptr || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig, r, s) != 1) {
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return std::nullopt;
  }
  unsigned char* der = nullptr;
  const int len = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (len <= 0) {
    return std::nullopt;
  }
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

// A string member of a JWK, base64url-decoded when `binary`; nullopt when absent or not a
// string (or not base64url).
std::optional<std::string> member(simdjson::dom::object key, std::string_view name,
                                  bool binary = false) {
  std::string_view v;
  if (key[name].get_string().get(v) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  if (binary) {
    return base64url_decode(v);
  }
  return std::string(v);
}

}  // namespace

bool supported_jws_algorithm(std::string_view alg) {
  return find_algorithm(alg) != nullptr;
}

json_web_key::json_web_key(std::string kid, std::string kty, std::string alg, EVP_PKEY* key)
    : _kid(std::move(kid)), _kty(std::move(kty)), _alg(std::move(alg)), _key(key, EVP_PKEY_free) {
  if (_kty == "EC") {
    char name[32] = {};
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof name, &len) ==
        1) {
      for (const auto& c : curves) {
        if (std::string_view(name, len) == c.openssl) {
          _curve = std::string(c.jwk);
        }
      }
    }
  }
}

bool json_web_key::fits(std::string_view alg) const {
  const algorithm* a = find_algorithm(alg);
  return a != nullptr && a->kty == _kty && (a->curve.empty() || a->curve == _curve) &&
         (_alg.empty() || _alg == alg);
}

bool json_web_key::verify(std::string_view alg, std::string_view signed_text,
                          std::string_view signature) const {
  if (!fits(alg)) {
    return false;
  }
  const algorithm& a = *find_algorithm(alg);
  std::string der;
  if (a.kty == "EC") {
    auto converted = ecdsa_der(signature, find_curve(_curve)->bytes);
    if (!converted) {
      return false;
    }
    der = std::move(*converted);
    signature = der;
  }
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr) {
    return false;
  }
  EVP_PKEY_CTX* pctx = nullptr;
  bool ok = EVP_DigestVerifyInit(ctx, &pctx, a.md(), nullptr, _key.get()) == 1;
  if (ok && a.pss) {
    ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1 &&
         EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, a.md()) == 1;
  }
  ok = ok && EVP_DigestVerify(ctx, bytes(signature), signature.size(), bytes(signed_text),
                              signed_text.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

expected<json_web_key_set, std::string> parse_json_web_key_set(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(simdjson::padded_string(json)).get(doc) != simdjson::SUCCESS) {
    return unexpected(std::string("the JWK Set is not JSON"));
  }
  simdjson::dom::array keys;
  if (doc["keys"].get_array().get(keys) != simdjson::SUCCESS) {
    return unexpected(std::string("the JWK Set has no \"keys\" array"));
  }
  json_web_key_set out;
  for (simdjson::dom::element element : keys) {
    simdjson::dom::object key;
    if (element.get_object().get(key) != simdjson::SUCCESS) {
      out.skipped.emplace_back("a member of \"keys\" is not an object");
      continue;
    }
    const std::string kid = member(key, "kid").value_or("");
    const std::string kty = member(key, "kty").value_or("");
    const std::string alg = member(key, "alg").value_or("");
    const std::string use = member(key, "use").value_or("sig");
    auto skip = [&](const std::string& why) {
      out.skipped.push_back("kid '" + kid.substr(0, 64) + "': " + why);
    };
    if (use != "sig") {
      skip("use '" + use.substr(0, 16) + "' is not sig");
      continue;
    }
    if (!alg.empty() && !supported_jws_algorithm(alg)) {
      skip("alg '" + alg.substr(0, 16) + "' is not accepted");
      continue;
    }
    expected<EVP_PKEY*, std::string> made = unexpected(std::string());
    if (kty == "RSA") {
      auto n = member(key, "n", true);
      auto e = member(key, "e", true);
      if (!n || !e) {
        skip("an RSA key needs n and e in base64url");
        continue;
      }
      made = rsa_key(*n, *e);
    } else if (kty == "EC") {
      const curve* c = find_curve(member(key, "crv").value_or(""));
      auto x = member(key, "x", true);
      auto y = member(key, "y", true);
      if (c == nullptr) {
        skip("crv is not P-256, P-384 or P-521");
        continue;
      }
      if (!x || !y) {
        skip("an EC key needs x and y in base64url");
        continue;
      }
      made = ec_key(*c, *x, *y);
    } else {
      skip("kty '" + kty.substr(0, 16) + "' is not RSA or EC");
      continue;
    }
    if (!made) {
      skip(made.error());
      continue;
    }
    if (out.keys.contains(kid)) {
      EVP_PKEY_free(*made);
      skip("a second key with this kid");
      continue;
    }
    out.keys.emplace(kid, json_web_key(kid, kty, alg, *made));
  }
  return out;
}

}  // namespace brook::security
