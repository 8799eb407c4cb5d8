// oidc_keys: the signing keys of an OpenID Connect issuer, fetched and kept. At start (in
// the background: Brook starts even when the issuer is down) it reads the issuer's
// discovery document (<issuer>/.well-known/openid-configuration, whose "issuer" must be the
// configured one) for its jwks_uri, unless jwks_uri is configured, and then the JWK Set.
// A token naming a kid the set does not hold makes it fetch the set again (the issuer
// rotated its keys), at most once per min_refetch: a client sending made-up kids cannot make
// Brook hammer the issuer. The set is also fetched again when older than refresh. Fetches run
// on one thread of their own; tokens whose keys are at hand never wait for them, and those
// that wait are answered when the fetch ends (or times out).
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "net/http_fetch.h"
#include "security/jwt_validator.h"

namespace brook::security {

struct oidc_settings {
  std::string issuer;
  std::string jwks_uri;  // empty: from discovery
  net::fetch_options fetch;
  std::chrono::milliseconds refresh{3'600'000};
  std::chrono::milliseconds min_refetch{10'000};
};

// The issuer's discovery document: the issuer without a trailing slash, then the
// well-known path (OpenID Connect Discovery 1.0, section 4).
std::string oidc_discovery_url(std::string issuer);

class oidc_keys final : public key_source {
 public:
  explicit oidc_keys(oidc_settings settings);
  ~oidc_keys() override;
  oidc_keys(const oidc_keys&) = delete;
  oidc_keys& operator=(const oidc_keys&) = delete;

  // Asks for the first fetch (the first token asks for it otherwise).
  void start();
  void keys_for(std::string_view kid, keys_fn done) override;

 private:
  using clock = std::chrono::steady_clock;
  void run();
  // One round: discovery if needed, then the key set. Returns the problem, or "".
  std::string fetch();

  const oidc_settings _settings;
  mutable std::mutex _mu;
  std::condition_variable _wake;
  bool _stopping = false;
  bool _wanted = false;    // a fetch is asked for
  bool _fetching = false;  // one is under way
  std::string _jwks_uri;
  std::shared_ptr<const json_web_key_set> _keys;
  std::string _problem;
  clock::time_point _fetched_at;  // of the set held
  clock::time_point _attempt_at;  // of the last fetch, whatever came of it
  bool _attempted = false;
  std::vector<keys_fn> _waiting;
  std::thread _thread;
};

}  // namespace brook::security
