// authorizer: the one decision point for "may this principal do this to that resource?".
// Kafka handlers and HTTP routes ask it through their request context before acting.
// Two implementations: allow_all_authorizer (no authorizer, as in a Kafka broker without
// one) and acl_authorizer (Kafka's ACL model over acls.db).
#pragma once

#include <functional>
#include <string_view>

#include "security/acl_resource.h"
#include "security/principal.h"

namespace brook::security {

class authorizer {
 public:
  // Told of each refusal (the audit log): who, from where, what, to which resource.
  using denial_fn = std::function<void(const principal& who, std::string_view host,
                                       acl_operation op, const acl_resource& resource)>;

  virtual ~authorizer() = default;
  // `host` is the client's address as Kafka reports it ("/127.0.0.1").
  // The decision alone, told to nobody: for what is merely left out of a list (Metadata of
  // all topics, ListGroups) or reported as allowed operations (KIP-430).
  virtual bool permits(const principal& who, std::string_view host, acl_operation op,
                       const acl_resource& resource) const = 0;
  // May the principal do `op` to at least one resource of the type (Kafka's
  // authorizeByResourceType: an idempotent producer needs WRITE on some topic)?
  virtual bool permits_any(const principal& who, std::string_view host, acl_operation op,
                           resource_type type) const = 0;

  // The decision on a request: permits(), and a refusal reported to the denial observer.
  bool authorize(const principal& who, std::string_view host, acl_operation op,
                 const acl_resource& resource) const {
    if (permits(who, host, op, resource)) {
      return true;
    }
    denied(who, host, op, resource);
    return false;
  }
  bool authorize_any(const principal& who, std::string_view host, acl_operation op,
                     resource_type type) const {
    if (permits_any(who, host, op, type)) {
      return true;
    }
    denied(who, host, op, acl_resource{type, "*"});
    return false;
  }
  // Reports a refusal decided from several permits() (Kafka's CREATE on the cluster or
  // the topic).
  void denied(const principal& who, std::string_view host, acl_operation op,
              const acl_resource& resource) const {
    if (_on_denial) {
      _on_denial(who, host, op, resource);
    }
  }
  // Set once at start-up, before any request.
  void on_denial(denial_fn f) { _on_denial = std::move(f); }

 private:
  denial_fn _on_denial;
};

// Allows every operation: what a Kafka broker without an authorizer does.
class allow_all_authorizer final : public authorizer {
 public:
  bool permits(const principal&, std::string_view, acl_operation,
               const acl_resource&) const override {
    return true;
  }
  bool permits_any(const principal&, std::string_view, acl_operation,
                   resource_type) const override {
    return true;
  }
};

}  // namespace brook::security
