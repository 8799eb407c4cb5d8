#include "security/login_guard.h"

namespace brook::security {

namespace {

audit_event login_event(const login_attempt& a, std::string outcome) {
  audit_event e;
  e.event = "authentication";
  e.outcome = std::move(outcome);
  e.listener = a.listener;
  e.client = a.client;
  e.mechanism = a.mechanism;
  return e;
}

}  // namespace

std::optional<std::string> login_guard::admit(const login_attempt& a, std::string_view user) {
  auto refusal = _limiter.refused(a.client, user);
  if (!refusal) {
    return std::nullopt;
  }
  if (refusal->first && _audit != nullptr) {
    audit_event e = login_event(a, "rate_limited");
    e.user = std::string(user.substr(0, 256));
    e.reason = refusal->reason;
    _audit->record(e);
  }
  return std::move(refusal->reason);
}

void login_guard::succeeded(const login_attempt& a, const principal& who) {
  if (_audit != nullptr) {
    audit_event e = login_event(a, "success");
    e.principal = who.to_string();
    _audit->record(e);
  }
}

void login_guard::failed(const login_attempt& a, std::string_view user, std::string_view reason) {
  _limiter.failed(a.client, user);
  if (_audit != nullptr) {
    audit_event e = login_event(a, "failure");
    e.user = std::string(user.substr(0, 256));
    e.reason = std::string(reason);
    _audit->record(e);
  }
}

std::chrono::seconds login_guard::retry_after() const {
  return std::chrono::ceil<std::chrono::seconds>(_limiter.limits().window);
}

}  // namespace brook::security
