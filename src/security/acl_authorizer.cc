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

// Does `text` ("Type:name") name the principal's type and `name`? Compared in place: no
// string is built per check.
bool names(std::string_view text, const principal& who, std::string_view name) {
  return text.size() == who.type.size() + 1 + name.size() && text.starts_with(who.type) &&
         text[who.type.size()] == ':' && text.ends_with(name);
}

// Is the binding's entry for this principal (or every one of its type) at this host?
bool entry_is_for(const acl_binding& b, const principal& who, std::string_view host) {
  return (names(b.principal, who, who.name) || names(b.principal, who, "*")) &&
         (b.host == "*" || b.host == host);
}

// Kafka reports hosts as "/address"; bindings hold the address alone.
std::string_view address_of(std::string_view host) {
  if (!host.empty() && host.front() == '/') {
    host.remove_prefix(1);
  }
  return host;
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
      out->insert_binding(*b);
    }
  }
  return out;
}

void acl_authorizer::insert_binding(const acl_binding& b) {
  if (_bindings.insert(b).second && b.name.size() < _names_of_length.size()) {
    ++_names_of_length[b.name.size()];
  }
}

void acl_authorizer::erase_binding(const acl_binding& b) {
  if (_bindings.erase(b) > 0 && b.name.size() < _names_of_length.size()) {
    --_names_of_length[b.name.size()];
  }
}

bool acl_authorizer::is_super_user(const principal& who) const {
  return std::any_of(_options.super_users.begin(), _options.super_users.end(),
                     [&](const std::string& s) { return names(s, who, who.name); });
}

bool acl_authorizer::permits(const principal& who, std::string_view host, acl_operation op,
                             const acl_resource& resource) const {
  if (is_super_user(who)) {
    return true;
  }
  host = address_of(host);
  bool any_apply = false;
  bool allowed = false;
  bool denied = false;
  std::shared_lock lock(_mutex);
  // Only the bindings that can apply are looked at, not all of them: those named "*" and
  // those named by a prefix of the resource's name, the name itself included (the set is
  // ordered by type, then name: each is one contiguous range). A check costs one lookup per
  // character of the name, whatever the number of bindings.
  auto visit = [&](std::string_view name) {
    const acl_binding probe{resource.type,   std::string(name), pattern_type{}, {}, {},
                            acl_operation{}, acl_permission{}};
    for (auto it = _bindings.lower_bound(probe);
         it != _bindings.end() && it->type == resource.type && it->name == name; ++it) {
      const acl_binding& b = *it;
      if (!applies_to(b, resource)) {
        continue;
      }
      any_apply = true;
      if (!entry_is_for(b, who, host)) {
        continue;
      }
      if (b.permission == acl_permission::deny) {
        denied = denied || b.operation == op || b.operation == acl_operation::all;
      } else if (allow_covers(b.operation, op)) {
        allowed = true;
      }
    }
  };
  if (_bindings.empty()) {
    return _options.allow_everyone_if_no_acl_found;
  }
  if (!resource.name.starts_with('*')) {
    visit("*");
  }
  for (size_t n = 1; n <= resource.name.size() && !denied; ++n) {
    if (n >= _names_of_length.size() || _names_of_length[n] > 0) {
      visit(resource.name.substr(0, n));
    }
  }
  if (denied) {
    return false;  // DENY wins
  }
  return any_apply ? allowed : _options.allow_everyone_if_no_acl_found;
}

bool acl_authorizer::permits_any(const principal& who, std::string_view host, acl_operation op,
                                 resource_type type) const {
  // As Kafka: first the ordinary check of a name no binding names, so that super users, "*"
  // bindings and allow_everyone_if_no_acl_found (no binding applies to it) count. Past it,
  // only an ALLOW of the operation itself (or ALL) that no DENY covers allows.
  if (permits(who, host, op, acl_resource{type, unnamed_resource})) {
    return true;
  }
  host = address_of(host);
  std::vector<const acl_binding*> denies;
  std::vector<const acl_binding*> allows;
  std::shared_lock lock(_mutex);
  for (const auto& b : _bindings) {
    if (b.type != type || !entry_is_for(b, who, host) ||
        (b.operation != op && b.operation != acl_operation::all)) {
      continue;  // Kafka counts no implied operations here
    }
    (b.permission == acl_permission::deny ? denies : allows).push_back(&b);
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
  return std::any_of(allows.begin(), allows.end(),
                     [&](const acl_binding* a) { return !covered(*a); });
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
  for (const auto& b : bindings) {
    insert_binding(b);
  }
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
    erase_binding(b);
  }
  return matched;
}

size_t acl_authorizer::size() const {
  std::shared_lock lock(_mutex);
  return _bindings.size();
}

}  // namespace brook::security
