// authorizer: the one decision point for "may this principal do this to that resource?".
// Kafka handlers and HTTP routes ask it through their request context before acting.
// Today the only implementation allows everything (no ACLs exist yet); the security issue
// adds the ACL authorizer behind the same interface.
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
};

// Allows every operation: what a Kafka broker without an authorizer does.
class allow_all_authorizer final : public authorizer {
 public:
  bool authorize(const principal&, std::string_view, acl_operation,
                 const acl_resource&) const override {
    return true;
  }
};

}  // namespace brook::security
