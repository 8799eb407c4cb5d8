// Base64 (RFC 4648 section 4, the standard alphabet) for binary keys, values and headers in
// the REST Proxy's JSON. Decoding accepts input with or without '=' padding and refuses
// anything else: other characters, whitespace, a bad length, non-zero trailing bits.
// Base64url (section 5, '-' and '_', never padded) for JSON Web Tokens and keys (RFC 7515):
// its decoder refuses '=' as well.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace brook {

std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);
std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace brook
