// login_guard: the one place every login on either port reports to. Before a login is
// checked, admit() asks the login_limiter whether this address (and user, once known) may
// still try; after, succeeded() or failed() counts the outcome and appends it to the audit
// log. The Kafka listeners (SASL exchanges, TLS client certificates) and the HTTP server
// (Basic, Bearer) call it; neither counts or audits logins itself.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "security/audit_log.h"
#include "security/login_limiter.h"
#include "security/principal.h"

namespace brook::security {

struct login_attempt {
  std::string listener;   // "SASL_SSL", "http", ...
  std::string client;     // the client's address, without Kafka's leading '/'
  std::string mechanism;  // "SCRAM-SHA-256", "basic", ...
};

class login_guard {
 public:
  // `audit` may be null (no audit topic); both outlive the guard.
  login_guard(login_limiter& limiter, audit_log* audit) : _limiter(limiter), _audit(audit) {}

  // Why the attempt is refused without being checked (audited once per window), or
  // nullopt when it may go on. `user` is empty until the client has named one.
  std::optional<std::string> admit(const login_attempt& a, std::string_view user);
  void succeeded(const login_attempt& a, const principal& who);
  void failed(const login_attempt& a, std::string_view user, std::string_view reason);

  // How long a refusal may last: the limits' window.
  std::chrono::seconds retry_after() const;

 private:
  login_limiter& _limiter;
  audit_log* _audit;
};

}  // namespace brook::security
