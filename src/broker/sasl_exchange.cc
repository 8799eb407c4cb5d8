#include "broker/sasl_exchange.h"

#include <boost/asio/post.hpp>

#include "base/log.h"
#include "base/log_throttle.h"
#include "base/text.h"
#include "broker/broker.h"
#include "security/login_guard.h"

namespace brook::broker {

namespace {
// Failed logins are logged 20 a second at most (a client may try as fast as it likes).
log_throttle& failure_log() {
  static log_throttle throttle{std::chrono::milliseconds(50)};
  return throttle;
}
}  // namespace

void sasl_exchange_step(broker& b, const std::shared_ptr<request_context>& req,
                        std::string_view token, std::function<void(sasl_exchange_outcome)> done) {
  auto session = req->sasl;
  security::sasl_server* exchange = session->exchange.get();
  if (exchange == nullptr) {
    sasl_exchange_outcome out;
    out.message = "no SASL exchange is under way";
    done(std::move(out));
    return;
  }
  const std::string mechanism = session->mechanism;
  security::login_attempt attempt{req->listener, req->client_host.substr(1), mechanism};
  security::login_guard* guard = b.logins();
  // Too many failures from this address (or as the user named so far): not checked at all.
  std::optional<std::string> limited;
  if (guard != nullptr) {
    limited = guard->admit(attempt, exchange->attempted_user());
  }
  auto finish = [&b, req, session, mechanism, guard, attempt = std::move(attempt),
                 done = std::move(done)](security::sasl_step step, bool limited) mutable {
    sasl_exchange_outcome out;
    const std::string user = session->exchange ? session->exchange->attempted_user() : "";
    if (guard != nullptr && !limited && step.outcome != security::sasl_step::state::failure) {
      // The user is known now (SCRAM's first message, PLAIN's only one): over its limit,
      // the exchange ends here, a right password or not.
      if (auto why = guard->admit(attempt, user)) {
        step = security::sasl_step{security::sasl_step::state::failure, {}, *why};
        limited = true;
      }
    }
    const auto fail = [&](const std::string& reason) {
      if (guard != nullptr && !limited) {
        guard->failed(attempt, user, reason);
      }
      if (failure_log().allow()) {
        log::info("authentication failed on {} from {}: mechanism {}, user '{}': {}", req->listener,
                  req->client_host.substr(1), mechanism,
                  loggable(session->exchange ? session->exchange->attempted_user() : ""), reason);
      }
      session->exchange.reset();
      session->at = sasl_session::stage::failed;
      session->reauthenticating = false;
      out.outcome = sasl_exchange_outcome::state::failure;
      out.message =
          "Authentication failed during authentication due to invalid credentials "
          "with SASL mechanism " +
          mechanism;
    };
    if (step.outcome == security::sasl_step::state::challenge) {
      out.outcome = sasl_exchange_outcome::state::challenge;
      out.token = std::move(step.response);
    } else if (step.outcome == security::sasl_step::state::failure) {
      fail(step.reason);
    } else {
      const security::principal who = session->exchange->authenticated();
      if (session->reauthenticating && who != session->principal) {
        fail("re-authentication as " + who.to_string() + " on a connection of " +
             session->principal.to_string());
      } else {
        const auto now = sasl_session::clock::now();
        std::optional<std::chrono::milliseconds> lifetime;
        if (b.config().connections_max_reauth.count() > 0) {
          lifetime = b.config().connections_max_reauth;
        }
        if (auto expiry = session->exchange->credential_expiry()) {
          auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
              *expiry - std::chrono::system_clock::now());
          left = std::max(left, std::chrono::milliseconds(0));
          lifetime = lifetime ? std::min(*lifetime, left) : left;
        }
        session->expires_at.reset();
        if (lifetime) {
          session->expires_at = now + *lifetime;
          out.session_lifetime_ms = lifetime->count();
        }
        log::debug("authenticated {} on {} from {} with {}", who.to_string(), req->listener,
                   req->client_host.substr(1), mechanism);
        session->principal = who;
        session->authenticated_mechanism = mechanism;
        session->password_login = session->exchange->bound_to_credentials();
        session->at = sasl_session::stage::authenticated;
        session->reauthenticating = false;
        session->exchange.reset();
        out.outcome = sasl_exchange_outcome::state::success;
        out.token = std::move(step.response);
        if (guard != nullptr) {
          guard->succeeded(attempt, who);
        }
      }
    }
    done(std::move(out));
  };
  if (limited) {
    finish(security::sasl_step{security::sasl_step::state::failure, {}, *limited}, true);
    return;
  }
  // The mechanism may answer later on another thread (one that waits for a key server):
  // the session is touched only on the connection's thread, and only after step()
  // returned (finish may release the mechanism).
  exchange->step(token, [executor = req->executor,
                         finish = std::move(finish)](security::sasl_step step) mutable {
    boost::asio::post(executor, [finish = std::move(finish), step = std::move(step)]() mutable {
      finish(std::move(step), false);
    });
  });
}

}  // namespace brook::broker
