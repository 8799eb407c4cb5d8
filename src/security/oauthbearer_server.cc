#include "security/oauthbearer_server.h"

#include <cctype>

#include "base/text.h"

namespace brook::security {

namespace {

constexpr char kvsep = '\x01';

bool is_key(std::string_view key) {
  // RFC 7628 section 3.1: key = 1*(ALPHA)
  if (key.empty()) {
    return false;
  }
  for (char c : key) {
    if (std::isalpha(static_cast<unsigned char>(c)) == 0) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<oauthbearer_message> parse_oauthbearer_message(std::string_view message,
                                                             std::string& problem) {
  // gs2-header: "n," or "y," (no channel binding: "p=" is refused), [a=authzid], ","
  if (message.size() < 3 || (message[0] != 'n' && message[0] != 'y') || message[1] != ',') {
    problem = message.starts_with("p=") ? "channel binding is not supported"
                                        : "the message does not start with a GS2 header";
    return std::nullopt;
  }
  message.remove_prefix(2);
  const size_t comma = message.find(',');
  if (comma == std::string_view::npos) {
    problem = "the GS2 header does not end";
    return std::nullopt;
  }
  oauthbearer_message out;
  const std::string_view authz = message.substr(0, comma);
  if (!authz.empty()) {
    if (!authz.starts_with("a=")) {
      problem = "the GS2 header holds something other than a=authzid";
      return std::nullopt;
    }
    out.authzid = std::string(authz.substr(2));
  }
  message.remove_prefix(comma + 1);
  // kvsep *kvpair kvsep, with kvpair = key "=" value kvsep
  if (message.empty() || message.front() != kvsep || message.size() < 2 ||
      message.substr(message.size() - 2) != std::string_view("\x01\x01", 2)) {
    problem = "the key=value pairs are not framed by ^A";
    return std::nullopt;
  }
  message.remove_prefix(1);
  message.remove_suffix(1);
  bool have_auth = false;
  while (!message.empty()) {
    const size_t end = message.find(kvsep);
    const std::string_view pair = message.substr(0, end);
    message.remove_prefix(end + 1);
    const size_t eq = pair.find('=');
    if (eq == std::string_view::npos || !is_key(pair.substr(0, eq))) {
      problem = "a malformed key=value pair";
      return std::nullopt;
    }
    if (pair.substr(0, eq) != "auth") {
      continue;  // a Kafka SASL extension
    }
    if (have_auth) {
      problem = "two auth pairs";
      return std::nullopt;
    }
    have_auth = true;
    std::string_view value = pair.substr(eq + 1);
    // RFC 6750 section 2.1: "Bearer" 1*SP b64token; the scheme is case-insensitive.
    if (value.size() < 7 || !iequals(value.substr(0, 6), "Bearer") || value[6] != ' ') {
      problem = "auth is not 'Bearer <token>'";
      return std::nullopt;
    }
    value.remove_prefix(7);
    while (!value.empty() && value.front() == ' ') {
      value.remove_prefix(1);
    }
    out.token = std::string(value);
  }
  if (!have_auth || out.token.empty()) {
    problem = "no bearer token (auth=Bearer ...)";
    return std::nullopt;
  }
  return out;
}

void oauthbearer_server::step(std::string_view client_message, done_fn done) {
  if (_done) {
    done(sasl_step{sasl_step::state::failure, {}, "a message after the exchange ended"});
    return;
  }
  _done = true;
  std::string problem;
  auto message = parse_oauthbearer_message(client_message, problem);
  if (!message) {
    done(sasl_step{sasl_step::state::failure, {}, "malformed OAUTHBEARER message: " + problem});
    return;
  }
  _tokens.validate(message->token, [this, authzid = std::move(message->authzid),
                                    done = std::move(done)](token_verdict verdict) {
    _attempted_user = verdict.claimed;
    if (!verdict.who) {
      done(sasl_step{sasl_step::state::failure, {}, verdict.reason});
      return;
    }
    if (!authzid.empty() && authzid != verdict.who->name) {
      done(sasl_step{sasl_step::state::failure,
                     {},
                     "the authorization id differs from the token's principal"});
      return;
    }
    _principal = *verdict.who;
    _expiry = verdict.expiry;
    _bound = verdict.bound;
    done(sasl_step{sasl_step::state::success, {}, {}});
  });
}

}  // namespace brook::security
