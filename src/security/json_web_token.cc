#include "security/json_web_token.h"

#include <cmath>

#include <simdjson.h>

#include "base/base64.h"

namespace brook::security {

namespace {

// A NumericDate (RFC 7519 section 2): a JSON number of seconds, fractions dropped.
expected<std::optional<int64_t>, std::string> numeric_date(simdjson::dom::object claims,
                                                           std::string_view name) {
  simdjson::dom::element v;
  if (claims[name].get(v) != simdjson::SUCCESS) {
    return std::optional<int64_t>();
  }
  double seconds = 0;
  if (v.get_double().get(seconds) != simdjson::SUCCESS || !std::isfinite(seconds) ||
      seconds < -1e15 || seconds > 1e15) {
    return unexpected(std::string(name) + " is not a number of seconds");
  }
  return std::optional<int64_t>(static_cast<int64_t>(seconds));
}

}  // namespace

expected<json_web_token, std::string> parse_json_web_token(std::string_view text) {
  if (text.size() > max_json_web_token_bytes) {
    return unexpected("the token is over " + std::to_string(max_json_web_token_bytes) + " bytes");
  }
  const size_t dot1 = text.find('.');
  const size_t dot2 = dot1 == std::string_view::npos ? dot1 : text.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos) {
    return unexpected(std::string("not a JWT: expected header.claims.signature"));
  }
  if (text.find('.', dot2 + 1) != std::string_view::npos) {
    return unexpected(std::string("an encrypted token (JWE) is not accepted"));
  }
  auto header_json = base64url_decode(text.substr(0, dot1));
  auto claims_json = base64url_decode(text.substr(dot1 + 1, dot2 - dot1 - 1));
  auto signature = base64url_decode(text.substr(dot2 + 1));
  if (!header_json || !claims_json || !signature) {
    return unexpected(std::string("a part of the token is not base64url"));
  }
  json_web_token out;
  out.signed_text = std::string(text.substr(0, dot2));
  out.signature = std::move(*signature);

  simdjson::dom::parser parser;
  simdjson::dom::object header;
  if (parser.parse(simdjson::padded_string(*header_json)).get_object().get(header) !=
      simdjson::SUCCESS) {
    return unexpected(std::string("the header is not a JSON object"));
  }
  std::string_view alg;
  if (header["alg"].get_string().get(alg) != simdjson::SUCCESS) {
    return unexpected(std::string("the header has no alg"));
  }
  out.alg = std::string(alg.substr(0, 32));
  std::string_view kid;
  if (header["kid"].get_string().get(kid) == simdjson::SUCCESS) {
    out.kid = std::string(kid.substr(0, 256));
  }
  simdjson::dom::element crit;
  if (header["crit"].get(crit) == simdjson::SUCCESS) {
    // RFC 7515 4.1.11: extensions the recipient must understand; Brook understands none.
    return unexpected(std::string("the header names critical extensions (crit)"));
  }

  simdjson::dom::parser claims_parser;
  simdjson::dom::object claims;
  if (claims_parser.parse(simdjson::padded_string(*claims_json)).get_object().get(claims) !=
      simdjson::SUCCESS) {
    return unexpected(std::string("the claims are not a JSON object"));
  }
  for (auto field : claims) {
    std::string_view value;
    if (field.value.get_string().get(value) == simdjson::SUCCESS) {
      out.strings.emplace(std::string(field.key), std::string(value));
    }
  }
  if (auto it = out.strings.find("iss"); it != out.strings.end()) {
    out.iss = it->second;
  }
  simdjson::dom::element aud;
  if (claims["aud"].get(aud) == simdjson::SUCCESS) {
    std::string_view one;
    simdjson::dom::array many;
    if (aud.get_string().get(one) == simdjson::SUCCESS) {
      out.aud.emplace_back(one);
    } else if (aud.get_array().get(many) == simdjson::SUCCESS) {
      for (auto a : many) {
        if (a.get_string().get(one) != simdjson::SUCCESS) {
          return unexpected(std::string("aud holds something other than strings"));
        }
        out.aud.emplace_back(one);
      }
    } else {
      return unexpected(std::string("aud is not a string or a list of strings"));
    }
  }
  for (auto [name, field] :
       {std::pair{"exp", &out.exp}, std::pair{"nbf", &out.nbf}, std::pair{"iat", &out.iat}}) {
    auto date = numeric_date(claims, name);
    if (!date) {
      return unexpected(date.error());
    }
    *field = *date;
  }
  return out;
}

}  // namespace brook::security
