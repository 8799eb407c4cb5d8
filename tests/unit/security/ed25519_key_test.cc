// ed25519_key: the forms a public key is handed over in (PEM SubjectPublicKeyInfo, base64
// and base64url of the 32 bytes), what is refused, and signatures made with OpenSSL.
#include "security/ed25519_key.h"

#include <gtest/gtest.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <string>

#include "base/base64.h"

namespace brook::security {
namespace {

struct pkey_free {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_free>;

pkey_ptr generate(int type) {
  EVP_PKEY* key = nullptr;
  if (type == EVP_PKEY_EC) {
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  } else {
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, type == EVP_PKEY_ED25519 ? "ED25519" : "ED448");
  }
  EXPECT_NE(key, nullptr);
  return pkey_ptr(key);
}

std::string pem_of(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  EXPECT_EQ(PEM_write_bio_PUBKEY(bio, key), 1);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(n));
  BIO_free(bio);
  return out;
}

std::string raw_of(EVP_PKEY* key) {
  std::string raw(32, '\0');
  size_t n = raw.size();
  EXPECT_EQ(EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char*>(raw.data()), &n), 1);
  return raw;
}

std::string sign(EVP_PKEY* key, const std::string& message) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EXPECT_EQ(EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, key), 1);
  std::string sig(64, '\0');
  size_t n = sig.size();
  EXPECT_EQ(EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &n,
                           reinterpret_cast<const unsigned char*>(message.data()), message.size()),
            1);
  EVP_MD_CTX_free(ctx);
  return sig;
}

TEST(Ed25519Key, PemBase64AndBase64UrlGiveTheSameKeyWhichVerifiesItsSignatures) {
  auto key = generate(EVP_PKEY_ED25519);
  const std::string raw = raw_of(key.get());
  std::string url = base64url_encode(raw);
  for (const std::string& text :
       {pem_of(key.get()), base64_encode(raw), url, "  " + base64_encode(raw) + "\n"}) {
    auto parsed = ed25519_key::parse(text);
    ASSERT_TRUE(parsed) << text << ": " << parsed.error();
    EXPECT_EQ(parsed->raw(), raw);
  }
  auto parsed = ed25519_key::parse(pem_of(key.get()));
  ASSERT_TRUE(parsed);
  const std::string message = "challenge 7f3a";
  const std::string sig = sign(key.get(), message);
  EXPECT_TRUE(parsed->verify(message, sig));
  EXPECT_FALSE(parsed->verify(message + "!", sig));
  std::string tampered = sig;
  tampered[5] = static_cast<char>(tampered[5] ^ 1);
  EXPECT_FALSE(parsed->verify(message, tampered));
  EXPECT_FALSE(parsed->verify(message, sig.substr(0, 63)));
  auto other = generate(EVP_PKEY_ED25519);
  EXPECT_FALSE(parsed->verify(message, sign(other.get(), message)));
}

TEST(Ed25519Key, OtherKeysAndGarbageAreRefusedWithTheReason) {
  auto ec = generate(EVP_PKEY_EC);
  auto refused = ed25519_key::parse(pem_of(ec.get()));
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().find("not an Ed25519 one"), std::string::npos) << refused.error();
  auto ed448 = generate(EVP_PKEY_ED448);
  EXPECT_FALSE(ed25519_key::parse(pem_of(ed448.get())));
  auto short_key = ed25519_key::parse(base64_encode(std::string(31, 'a')));
  ASSERT_FALSE(short_key);
  EXPECT_NE(short_key.error().find("32 bytes"), std::string::npos) << short_key.error();
  for (const std::string& bad :
       {std::string(""), std::string("   "), std::string("not base64 at all!"),
        std::string("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"),
        std::string(5000, 'A')}) {
    EXPECT_FALSE(ed25519_key::parse(bad)) << bad.substr(0, 40);
  }
}

std::string private_pem_of(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  EXPECT_EQ(PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr), 1);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);  // NOLINT(google-runtime-int): OpenSSL's type
  std::string out(data, static_cast<size_t>(n));
  BIO_free(bio);
  return out;
}

TEST(Ed25519Key, APrivateKeyInPemSignsWhatItsPublicHalfVerifies) {
  auto pair = generate(EVP_PKEY_ED25519);
  auto key = ed25519_key::parse(pem_of(pair.get()));
  ASSERT_TRUE(key);
  auto sig = ed25519_sign(private_pem_of(pair.get()), "brook-agent-login:x:nonce");
  ASSERT_TRUE(sig) << sig.error();
  EXPECT_EQ(sig->size(), 64u);
  EXPECT_TRUE(key->verify("brook-agent-login:x:nonce", *sig));
  EXPECT_FALSE(key->verify("brook-agent-login:x:other", *sig));

  auto ec = ed25519_sign(private_pem_of(generate(EVP_PKEY_EC).get()), "m");
  ASSERT_FALSE(ec);
  EXPECT_NE(ec.error().find("not an Ed25519 one"), std::string::npos) << ec.error();
  EXPECT_FALSE(ed25519_sign(pem_of(pair.get()), "m"));  // a public key cannot sign
  EXPECT_FALSE(ed25519_sign("garbage", "m"));
}

}  // namespace
}  // namespace brook::security
