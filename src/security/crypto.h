// crypto: the few primitives authentication needs, over OpenSSL, on byte strings held in
// std::string: hashes and HMAC (SHA-256, SHA-512), PBKDF2 (RFC 8018), random bytes and a
// constant-time comparison. Nothing here fails for valid input; a failure of OpenSSL
// itself (out of memory) is a fatal assertion.
#pragma once

#include <string>
#include <string_view>

namespace brook::security {

enum class digest { sha256, sha512 };

// Output length of `d` in bytes (32 or 64).
size_t digest_size(digest d);
std::string hash(digest d, std::string_view data);
std::string hmac(digest d, std::string_view key, std::string_view data);
std::string pbkdf2(digest d, std::string_view password, std::string_view salt, int iterations);
// `n` bytes from OpenSSL's CSPRNG.
std::string random_bytes(size_t n);
// a == b, in time that depends only on the lengths.
bool equal_constant_time(std::string_view a, std::string_view b);

}  // namespace brook::security
