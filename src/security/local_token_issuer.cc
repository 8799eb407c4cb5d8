#include "security/local_token_issuer.h"

#include <array>
#include <fstream>
#include <sstream>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "base/base64.h"
#include "base/file.h"
#include "base/json_writer.h"
#include "base/log.h"
#include "security/crypto.h"
#include "security/json_web_key.h"

namespace brook::security {

namespace {

constexpr size_t coordinate_bytes = 32;  // P-256
constexpr size_t max_key_file_bytes = 16 * 1024;

class fixed_keys final : public key_source {
 public:
  explicit fixed_keys(std::shared_ptr<const json_web_key_set> keys) : _keys(std::move(keys)) {}
  void keys_for(std::string_view, keys_fn done) override { done(_keys, ""); }

 private:
  std::shared_ptr<const json_web_key_set> _keys;
};

using bio_ptr = std::unique_ptr<BIO, decltype(&BIO_free)>;

std::string big_endian(const BIGNUM* n, size_t width) {
  std::string out(width, '\0');
  BN_bn2binpad(n, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(width));
  return out;
}

bool is_p256(EVP_PKEY* key) {
  char name[32] = {};
  size_t len = 0;
  return EVP_PKEY_is_a(key, "EC") == 1 &&
         EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof name, &len) ==
             1 &&
         std::string_view(name, len) == "prime256v1";
}

expected<EVP_PKEY*, std::string> read_key(const std::filesystem::path& path) {
  std::error_code ec;
  const auto perms = std::filesystem::status(path, ec).permissions();
  using std::filesystem::perms;
  if (!ec && (perms & (perms::group_all | perms::others_all)) != perms::none) {
    log::warn(
        "{} was readable by others than its owner: made 0600 (tokens signed with it "
        "could have been forged by whoever read it)",
        path.string());
    std::filesystem::permissions(path, perms::owner_read | perms::owner_write, ec);
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  const std::string pem = text.str();
  if (!in || pem.size() > max_key_file_bytes) {
    return unexpected("cannot read " + path.string());
  }
  bio_ptr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  EVP_PKEY* key = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (key == nullptr || !is_p256(key)) {
    EVP_PKEY_free(key);
    return unexpected(path.string() +
                      " is not a P-256 private key in PEM (remove it to have a new one made; "
                      "tokens issued with the old one stop working)");
  }
  return key;
}

expected<EVP_PKEY*, std::string> make_key(const std::filesystem::path& path) {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  if (key == nullptr) {
    return unexpected(std::string("cannot make a P-256 key"));
  }
  bio_ptr bio(BIO_new(BIO_s_mem()), BIO_free);
  char* data = nullptr;
  long len = 0;  // NOLINT(google-runtime-int): OpenSSL's type
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1 ||
      (len = BIO_get_mem_data(bio.get(), &data)) <= 0) {
    EVP_PKEY_free(key);
    return unexpected(std::string("cannot encode the token signing key"));
  }
  if (auto st = write_file_atomically(path, std::string_view(data, static_cast<size_t>(len)),
                                      /*owner_only=*/true);
      !st) {
    EVP_PKEY_free(key);
    return unexpected("cannot write " + path.string() + ": " + st.error().message());
  }
  return key;
}

// The public half as a JWK's "x" and "y".
std::pair<std::string, std::string> coordinates(EVP_PKEY* key) {
  std::array<unsigned char, 1 + 2 * coordinate_bytes> point{};
  size_t len = 0;
  EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size(), &len);
  std::string_view p(reinterpret_cast<const char*>(point.data()), len);
  if (len != point.size()) {
    return {};
  }
  return {std::string(p.substr(1, coordinate_bytes)),
          std::string(p.substr(1 + coordinate_bytes, coordinate_bytes))};
}

int64_t seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

expected<std::unique_ptr<local_token_issuer>, std::string> local_token_issuer::open(
    const std::filesystem::path& data_dir, const credential_source& users, options opts) {
  const auto path = data_dir / key_file;
  std::error_code ec;
  const bool exists = std::filesystem::exists(path, ec);
  if (ec) {
    return unexpected("cannot look for " + path.string() + ": " + ec.message());
  }
  auto key = exists ? read_key(path) : make_key(path);
  if (!key) {
    return unexpected(key.error());
  }
  std::unique_ptr<local_token_issuer> issuer(new local_token_issuer(*key, users, std::move(opts)));
  if (issuer->_keys == nullptr || issuer->_binding_key.empty()) {
    return unexpected(std::string("the token signing key's public half is not taken"));
  }
  return issuer;
}

local_token_issuer::local_token_issuer(EVP_PKEY* key, const credential_source& users, options opts)
    : _key(key), _users(users), _opts(std::move(opts)) {
  auto [x, y] = coordinates(_key);
  _kid = base64url_encode(hash(digest::sha256, x + y).substr(0, 12));
  // The key of the credential binding, derived from the private key (kept with it).
  BIGNUM* d = nullptr;
  if (EVP_PKEY_get_bn_param(_key, OSSL_PKEY_PARAM_PRIV_KEY, &d) == 1) {
    _binding_key = hash(digest::sha256, "brook token binding\n" + big_endian(d, coordinate_bytes));
    BN_clear_free(d);
  }
  json_writer w;
  w.begin_object().key("keys").begin_array().begin_object();
  w.key("kty").value("EC").key("crv").value("P-256").key("use").value("sig");
  w.key("alg").value("ES256").key("kid").value(_kid);
  w.key("x").value(base64url_encode(x)).key("y").value(base64url_encode(y));
  w.end_object().end_array().end_object();
  auto set = parse_json_web_key_set(w.take());
  if (set && set->keys.size() == 1) {
    _keys = std::make_unique<fixed_keys>(std::make_shared<const json_web_key_set>(std::move(*set)));
  }
}

local_token_issuer::~local_token_issuer() {
  EVP_PKEY_free(_key);
}

std::optional<std::string> local_token_issuer::credentials_digest(std::string_view user) const {
  std::string all;
  for (auto m : {scram_mechanism::sha256, scram_mechanism::sha512}) {
    if (auto c = _users.find(user, m)) {
      all += std::string(scram_mechanism_name(m)) + '\0' + c->salt + '\0' + c->stored_key + '\0' +
             c->server_key + '\0' + std::to_string(c->iterations) + '\0';
    }
  }
  if (all.empty()) {
    return std::nullopt;
  }
  // Keyed: without the server's key a token's claim tells nothing of the credentials (no
  // offline password guessing from a token and SCRAM's public salt).
  return base64url_encode(hmac(digest::sha256, _binding_key, all).substr(0, 16));
}

expected<local_token_issuer::token, std::string> local_token_issuer::issue(
    std::string_view user) const {
  auto bound = credentials_digest(user);
  if (!bound) {
    return unexpected("user '" + std::string(user) + "' has no credentials");
  }
  const auto now = _opts.now();
  const auto expires = now + _opts.lifetime;
  json_writer claims;
  claims.begin_object();
  claims.key("iss").value(_opts.issuer).key("aud").value(_opts.audience);
  claims.key("sub").value(user);
  claims.key("iat").value(seconds(now)).key("nbf").value(seconds(now));
  claims.key("exp").value(seconds(expires));
  claims.key("jti").value(base64url_encode(random_bytes(12)));
  claims.key("brook_cred").value(*bound);
  claims.end_object();
  json_writer header;
  header.begin_object().key("alg").value("ES256").key("kid").value(_kid);
  header.key("typ").value("JWT").end_object();
  const std::string text = base64url_encode(header.take()) + "." + base64url_encode(claims.take());

  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  size_t len = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, _key) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, in, text.size()) != 1) {
    return unexpected(std::string("signing failed"));
  }
  std::string der(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(der.data()), &len, in,
                     text.size()) != 1) {
    return unexpected(std::string("signing failed"));
  }
  // DER to JWS's r || s.
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig =
      d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(len));  // NOLINT(google-runtime-int)
  if (sig == nullptr) {
    return unexpected(std::string("signing failed"));
  }
  const std::string raw = big_endian(ECDSA_SIG_get0_r(sig), coordinate_bytes) +
                          big_endian(ECDSA_SIG_get0_s(sig), coordinate_bytes);
  ECDSA_SIG_free(sig);
  return token{text + "." + base64url_encode(raw), expires};
}

std::string local_token_issuer::binding(const json_web_token& token) const {
  auto sub = token.strings.find("sub");
  auto cred = token.strings.find("brook_cred");
  if (sub == token.strings.end() || cred == token.strings.end()) {
    return "the token has no brook_cred claim";
  }
  auto now = credentials_digest(sub->second);
  if (!now) {
    return "user '" + sub->second.substr(0, 256) + "' has no credentials any more";
  }
  if (!equal_constant_time(*now, cred->second)) {
    return "the credentials of user '" + sub->second.substr(0, 256) +
           "' changed since the token was issued";
  }
  return {};
}

trusted_issuer local_token_issuer::trusted() {
  jwt_rules rules;
  rules.issuer = _opts.issuer;
  rules.audiences = {_opts.audience};
  rules.principal_claim = "sub";
  return trusted_issuer{std::move(rules), _keys.get(),
                        [this](const json_web_token& t) { return binding(t); }};
}

}  // namespace brook::security
