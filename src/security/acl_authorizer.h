// acl_authorizer: Kafka's ACL model (AclAuthorizer) over the bindings in acls.db.
//
// permits(principal, host, operation, resource):
//   1. a super user (security.super_users) may do everything;
//   2. the bindings that apply to the resource are those of its type whose pattern is
//      LITERAL with its name or "*", or PREFIXED with a prefix of its name;
//   3. none apply: allowed only if security.allow_everyone_if_no_acl_found;
//   4. a DENY for the principal (or User:*), the host (or *) and the operation (or ALL)
//      refuses, whatever ALLOWs there are;
//   5. an ALLOW likewise allows; READ, WRITE, DELETE and ALTER imply DESCRIBE, and
//      ALTER_CONFIGS implies DESCRIBE_CONFIGS.
// Hosts are compared without Kafka's leading '/'.
//
// Thread-safe: checks read a snapshot under a shared lock; changes are written to the
// store first and take effect once durable.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <set>
#include <shared_mutex>
#include <string>
#include <vector>

#include "base/result.h"
#include "security/acl_binding.h"
#include "security/authorizer.h"
#include "storage/acl_store.h"

namespace brook::security {

// The made-up name authorize_any checks first (Kafka uses "hardcode").
inline constexpr std::string_view unnamed_resource = "\x01brook-any-resource";

struct acl_authorizer_options {
  std::vector<std::string> super_users;  // principals, "User:admin"
  bool allow_everyone_if_no_acl_found = false;
};

class acl_authorizer final : public authorizer {
 public:
  // Opens <data_dir>/acls.db.
  static result<std::unique_ptr<acl_authorizer>> open(const std::filesystem::path& data_dir,
                                                      acl_authorizer_options options);

  bool permits(const principal& who, std::string_view host, acl_operation op,
               const acl_resource& resource) const override;
  // Allowed when an ordinary check of a resource no binding names allows it ("*" bindings,
  // allow_everyone_if_no_acl_found), or an ALLOW of the operation itself (or ALL) for the
  // principal and host names some resource of the type that no DENY covers (a DENY on the
  // same literal name, on "*", or on a prefix of it). Kafka's authorizeByResourceType.
  bool permits_any(const principal& who, std::string_view host, acl_operation op,
                   resource_type type) const override;
  bool is_super_user(const principal& who) const;

  // Adds bindings (all durable, or none added).
  status create(const std::vector<acl_binding>& bindings);
  // The bindings `filter` selects, in a stable order.
  std::vector<acl_binding> describe(const acl_filter& filter) const;
  // Removes and returns the bindings `filter` selects.
  result<std::vector<acl_binding>> remove(const acl_filter& filter);
  size_t size() const;

 private:
  acl_authorizer(std::unique_ptr<storage::acl_store> store, acl_authorizer_options options);

  std::unique_ptr<storage::acl_store> _store;
  acl_authorizer_options _options;
  mutable std::shared_mutex _mutex;
  // Guarded by _mutex. Ordered by type, then name: permits() looks only at the ranges of
  // "*" and of the prefixes of the name it checks.
  std::set<acl_binding> _bindings;
  // Guarded by _mutex: how many bindings have a name of each length below 256 (a prefix of
  // a length no binding has names none, and is not looked up). Kept up to date by each
  // insert and erase, so that a change costs the same whatever the number of bindings.
  std::array<uint32_t, 256> _names_of_length{};
  void insert_binding(const acl_binding& b);
  void erase_binding(const acl_binding& b);
};

}  // namespace brook::security
