#include "security/acl_authorizer.h"

#include <algorithm>
#include <mutex>

namespace brook::security {
namespace {

storage::stored_acl stored_of(const acl_binding& b) {
  return storage::stored_acl{static_cast<int8_t>(b.type),
                             b.name,
                             static_cast<int8_t>(b.pattern),
                             b.principal,
                             b.host,
                             static_cast<int8_t>(b.operation),
                             static_cast<int8_t>(b.permission)};
}

bool applies_to(const acl_binding& b, const acl_resource& r) {
  if (b.type != r.type) {
    return false;
  }
  if (b.pattern == pattern_type::literal) {
    return b.name == r.name || b.name == "*";
  }
  return r.name.compare(0, b.name.size(), b.name) == 0;
}

// The operations whose ALLOW allows `op` (Kafka's implied operations).
bool allow_covers(acl_operation granted, acl_operation op) {
  if (granted == op || granted == acl_operation::all) {
    return true;
  }
  if (op == acl_operation::describe) {
    return granted == acl_operation::read || granted == acl_operation::write ||
           granted == acl_operation::remove || granted == acl_operation::alter;
  }
  if (op == acl_operation::describe_configs) {
    return granted == acl_operation::alter_configs;
  }
  return false;
}

}  // namespace

acl_authorizer::acl_authorizer(std::unique_ptr<storage::acl_store> store,
                               acl_authorizer_options options)
    : _store(std::move(store)), _options(std::move(options)) {}

result<std::unique_ptr<acl_authorizer>> acl_authorizer::open(const std::filesystem::path& data_dir,
                                                             acl_authorizer_options options) {
  auto store = storage::acl_store::open(data_dir / storage::acl_store::file_name);
  if (!store) {
    return store.error();
  }
  auto rows = (*store)->list();
  if (!rows) {
    return rows.error();
  }
  std::unique_ptr<acl_authorizer> out(new acl_authorizer(std::move(*store), std::move(options)));
  for (const auto& r : *rows) {
    auto b = make_acl_binding(r.resource_type, r.resource_name, r.pattern_type, r.principal, r.host,
                              r.operation, r.permission);
    if (b) {
      out->_bindings.insert(std::move(*b));
    }
  }
  return out;
}

bool acl_authorizer::is_super_user(const principal& who) const {
  const std::string name = who.to_string();
  return std::find(_options.super_users.begin(), _options.super_users.end(), name) !=
         _options.super_users.end();
}

bool acl_authorizer::authorize(const principal& who, std::string_view host, acl_operation op,
                               const acl_resource& resource) const {
  if (is_super_user(who)) {
    return true;
  }
  if (!host.empty() && host.front() == '/') {
    host.remove_prefix(1);
  }
  std::shared_lock lock(_mutex);
  if (_bindings.empty()) {
    return _options.allow_everyone_if_no_acl_found;  // the common case: no string built
  }
  const std::string name = who.to_string();
  const std::string wildcard_principal = who.type + ":*";
  bool any_apply = false;
  bool allowed = false;
  for (const auto& b : _bindings) {
    if (!applies_to(b, resource)) {
      continue;
    }
    any_apply = true;
    if ((b.principal != name && b.principal != wildcard_principal) ||
        (b.host != "*" && b.host != host)) {
      continue;
    }
    if (b.permission == acl_permission::deny) {
      if (b.operation == op || b.operation == acl_operation::all) {
        return false;  // DENY wins
      }
    } else if (allow_covers(b.operation, op)) {
      allowed = true;
    }
  }
  return any_apply ? allowed : _options.allow_everyone_if_no_acl_found;
}

bool acl_authorizer::authorize_any(const principal& who, std::string_view host, acl_operation op,
                                   resource_type type) const {
  // As Kafka: first the ordinary check of a name no binding names, so that "*" bindings
  // and allow_everyone_if_no_acl_found (no binding applies to it) count.
  if (authorize(who, host, op, acl_resource{type, std::string(unnamed_resource)})) {
    return true;
  }
  if (!host.empty() && host.front() == '/') {
    host.remove_prefix(1);
  }
  const std::string name = who.to_string();
  const std::string wildcard_principal = who.type + ":*";
  auto for_caller = [&](const acl_binding& b) {
    return b.type == type && (b.principal == name || b.principal == wildcard_principal) &&
           (b.host == "*" || b.host == host);
  };
  std::shared_lock lock(_mutex);
  bool any_of_type = false;
  std::vector<const acl_binding*> denies;
  std::vector<const acl_binding*> allows;
  for (const auto& b : _bindings) {
    if (b.type != type) {
      continue;
    }
    any_of_type = true;
    if (!for_caller(b)) {
      continue;
    }
    if (b.permission == acl_permission::deny) {
      if (b.operation == op || b.operation == acl_operation::all) {
        denies.push_back(&b);
      }
    } else if (b.operation == op || b.operation == acl_operation::all) {
      allows.push_back(&b);  // Kafka counts no implied operations here
    }
  }
  if (!any_of_type) {
    return _options.allow_everyone_if_no_acl_found;
  }
  auto covered = [&](const acl_binding& allow) {
    for (const acl_binding* d : denies) {
      if (d->pattern == pattern_type::literal) {
        if (d->name == "*" || (allow.pattern == pattern_type::literal && d->name == allow.name)) {
          return true;
        }
      } else if (allow.name.compare(0, d->name.size(), d->name) == 0) {
        return true;  // a denied prefix of the allowed name or prefix
      }
    }
    return false;
  };
  for (const acl_binding* a : allows) {
    if (!covered(*a)) {
      return true;
    }
  }
  return false;
}

status acl_authorizer::create(const std::vector<acl_binding>& bindings) {
  std::vector<storage::stored_acl> rows;
  rows.reserve(bindings.size());
  for (const auto& b : bindings) {
    rows.push_back(stored_of(b));
  }
  std::unique_lock lock(_mutex);
  if (auto st = _store->add(rows); !st) {
    return st;
  }
  _bindings.insert(bindings.begin(), bindings.end());
  return {};
}

std::vector<acl_binding> acl_authorizer::describe(const acl_filter& filter) const {
  std::shared_lock lock(_mutex);
  std::vector<acl_binding> out;
  for (const auto& b : _bindings) {
    if (filter.matches(b)) {
      out.push_back(b);
    }
  }
  return out;
}

result<std::vector<acl_binding>> acl_authorizer::remove(const acl_filter& filter) {
  std::unique_lock lock(_mutex);
  std::vector<acl_binding> matched;
  std::vector<storage::stored_acl> rows;
  for (const auto& b : _bindings) {
    if (filter.matches(b)) {
      matched.push_back(b);
      rows.push_back(stored_of(b));
    }
  }
  if (matched.empty()) {
    return matched;
  }
  if (auto st = _store->remove(rows); !st) {
    return st.error();
  }
  for (const auto& b : matched) {
    _bindings.erase(b);
  }
  return matched;
}

size_t acl_authorizer::size() const {
  std::shared_lock lock(_mutex);
  return _bindings.size();
}

}  // namespace brook::security
