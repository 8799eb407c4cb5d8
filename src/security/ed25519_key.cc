#include "security/ed25519_key.h"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <optional>

#include "base/base64.h"
#include "base/text.h"

namespace brook::security {

namespace {

constexpr size_t key_bytes = 32;
constexpr size_t signature_bytes = 64;
constexpr size_t max_text = 4096;

struct pkey_free {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_free>;

struct bio_free {
  void operator()(BIO* b) const { BIO_free(b); }
};

struct md_ctx_free {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

expected<std::string, std::string> raw_of_pem(std::string_view pem) {
  std::unique_ptr<BIO, bio_free> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) {
    return unexpected(std::string("cannot read the PEM text"));
  }
  pkey_ptr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!key) {
    return unexpected(std::string("not a PEM public key (SubjectPublicKeyInfo)"));
  }
  if (EVP_PKEY_id(key.get()) != EVP_PKEY_ED25519) {
    return unexpected(std::string("a public key, but not an Ed25519 one"));
  }
  std::string raw(key_bytes, '\0');
  size_t size = raw.size();
  if (EVP_PKEY_get_raw_public_key(key.get(), reinterpret_cast<unsigned char*>(raw.data()), &size) !=
          1 ||
      size != key_bytes) {
    return unexpected(std::string("cannot read the Ed25519 key's bytes"));
  }
  return raw;
}

}  // namespace

expected<ed25519_key, std::string> ed25519_key::parse(std::string_view text) {
  text = trim(text);
  if (text.empty() || text.size() > max_text) {
    return unexpected(std::string("an Ed25519 public key must be 1 to 4096 characters of text"));
  }
  if (text.starts_with("-----BEGIN")) {
    auto raw = raw_of_pem(text);
    if (!raw) {
      return unexpected(raw.error());
    }
    return ed25519_key(std::move(*raw));
  }
  std::string padded(text);
  while (padded.size() % 4 != 0) {
    padded += '=';
  }
  std::optional<std::string> raw = base64_decode(padded);
  if (!raw) {
    raw = base64url_decode(text);
  }
  if (!raw) {
    return unexpected(
        std::string("not an Ed25519 public key: a PEM \"PUBLIC KEY\", or its 32 bytes in base64"));
  }
  if (raw->size() != key_bytes) {
    return unexpected("an Ed25519 public key is 32 bytes, this base64 holds " +
                      std::to_string(raw->size()));
  }
  pkey_ptr key(EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(raw->data()), key_bytes));
  if (!key) {
    return unexpected(std::string("not a valid Ed25519 public key"));
  }
  return ed25519_key(std::move(*raw));
}

bool ed25519_key::verify(std::string_view message, std::string_view signature) const {
  if (signature.size() != signature_bytes) {
    return false;
  }
  pkey_ptr key(EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(_raw.data()), key_bytes));
  std::unique_ptr<EVP_MD_CTX, md_ctx_free> ctx(EVP_MD_CTX_new());
  if (!key || !ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1) {
    return false;
  }
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
}

expected<std::string, std::string> ed25519_sign(std::string_view private_pem,
                                                std::string_view message) {
  std::unique_ptr<BIO, bio_free> bio(
      BIO_new_mem_buf(private_pem.data(), static_cast<int>(private_pem.size())));
  pkey_ptr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key) {
    return unexpected(std::string("not a PEM private key (openssl genpkey -algorithm ed25519)"));
  }
  if (EVP_PKEY_id(key.get()) != EVP_PKEY_ED25519) {
    return unexpected(std::string("a private key, but not an Ed25519 one"));
  }
  std::unique_ptr<EVP_MD_CTX, md_ctx_free> ctx(EVP_MD_CTX_new());
  std::string signature(signature_bytes, '\0');
  size_t size = signature.size();
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1 ||
      size != signature_bytes) {
    return unexpected(std::string("signing failed"));
  }
  return signature;
}

}  // namespace brook::security
