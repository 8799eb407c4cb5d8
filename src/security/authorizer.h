// authorizer: the one decision point for "may this principal do this to that resource?".
// Kafka handlers and HTTP routes ask it through their request context before acting.
// Two implementations: allow_all_authorizer (no authorizer, as in a Kafka broker without
// one) and acl_authorizer (Kafka's ACL model over acls.db).
#pragma once

#include <string_view>

#include "security/acl_resource.h"
#include "security/principal.h"

namespace brook::security {

class authorizer {
 public:
  virtual ~authorizer() = default;
  // `host` is the client's address as Kafka reports it ("/127.0.0.1").
  virtual bool authorize(const principal& who, std::string_view host, acl_operation op,
                         const acl_resource& resource) const = 0;
  // May the principal do `op` to at least one resource of the type (Kafka's
  // authorizeByResourceType: an idempotent producer needs WRITE on some topic)?
  virtual bool authorize_any(const principal& who, std::string_view host, acl_operation op,
                             resource_type type) const = 0;
};

// Allows every operation: what a Kafka broker without an authorizer does.
class allow_all_authorizer final : public authorizer {
 public:
  bool authorize(const principal&, std::string_view, acl_operation,
                 const acl_resource&) const override {
    return true;
  }
  bool authorize_any(const principal&, std::string_view, acl_operation,
                     resource_type) const override {
    return true;
  }
};

}  // namespace brook::security
