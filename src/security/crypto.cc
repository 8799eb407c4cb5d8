#include "security/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "base/assert.h"

namespace brook::security {
namespace {

const EVP_MD* md(digest d) {
  return d == digest::sha256 ? EVP_sha256() : EVP_sha512();
}

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

size_t digest_size(digest d) {
  return d == digest::sha256 ? 32 : 64;
}

std::string hash(digest d, std::string_view data) {
  std::string out(digest_size(d), '\0');
  unsigned int n = 0;
  const int ok = EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(out.data()),
                            &n, md(d), nullptr);
  BROOK_ASSERT(ok == 1 && n == out.size(), "EVP_Digest failed");
  return out;
}

std::string hmac(digest d, std::string_view key, std::string_view data) {
  std::string out(digest_size(d), '\0');
  unsigned int n = 0;
  const unsigned char* ok = HMAC(md(d), key.data(), static_cast<int>(key.size()), bytes(data),
                                 data.size(), reinterpret_cast<unsigned char*>(out.data()), &n);
  BROOK_ASSERT(ok != nullptr && n == out.size(), "HMAC failed");
  return out;
}

std::string pbkdf2(digest d, std::string_view password, std::string_view salt, int iterations) {
  std::string out(digest_size(d), '\0');
  const int ok =
      PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), bytes(salt),
                        static_cast<int>(salt.size()), iterations, md(d),
                        static_cast<int>(out.size()), reinterpret_cast<unsigned char*>(out.data()));
  BROOK_ASSERT(ok == 1, "PKCS5_PBKDF2_HMAC failed");
  return out;
}

std::string random_bytes(size_t n) {
  std::string out(n, '\0');
  const int ok = RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n));
  BROOK_ASSERT(ok == 1, "RAND_bytes failed");
  return out;
}

bool equal_constant_time(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace brook::security
