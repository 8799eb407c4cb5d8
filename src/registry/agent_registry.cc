#include "registry/agent_registry.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>

#include "backend/backend_wait.h"
#include "base/base64.h"
#include "base/clock.h"
#include "base/json_writer.h"
#include "base/log.h"
#include "base/uri_encoding.h"
#include "security/crypto.h"
#include "security/ed25519_key.h"
#include "security/scram_credential.h"

namespace brook::registry {

namespace {

using protocol::kafka_error;
using security::acl_operation;
using security::resource_type;

constexpr size_t max_name_bytes = 200;
constexpr size_t max_metadata_bytes = 16384;
constexpr int32_t max_partitions = 1000;
constexpr int registration_attempts = 8;

registry_error bad_request(std::string message) {
  return {400, 400, std::move(message)};
}
registry_error not_found(const std::string& id) {
  return {404, 404, fmt::format("Agent {} not found.", id)};
}
registry_error internal(std::string message) {
  return {500, 500, std::move(message)};
}

std::optional<std::string> problem_of(const registration& r) {
  if (r.name.empty() || r.name.size() > max_name_bytes) {
    return fmt::format("name must be 1 to {} bytes, not {}", max_name_bytes, r.name.size());
  }
  if (!simdjson::validate_utf8(r.name.data(), r.name.size())) {
    return std::string("name is not UTF-8");
  }
  if (std::any_of(r.name.begin(), r.name.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    return std::string("name has control characters");
  }
  if (r.partitions < 1 || r.partitions > max_partitions) {
    return fmt::format("partitions must be 1 to {}, not {}", max_partitions, r.partitions);
  }
  if (r.retention_ms && *r.retention_ms != -1 && *r.retention_ms < 1000) {
    return fmt::format("retention_ms must be -1 (forever) or at least 1000, not {}",
                       *r.retention_ms);
  }
  if (r.public_key) {
    if (auto key = security::ed25519_key::parse(*r.public_key); !key) {
      return "public_key: " + key.error();
    }
  }
  if (r.metadata.size() > max_metadata_bytes) {
    return fmt::format("metadata must be at most {} bytes of JSON, not {}", max_metadata_bytes,
                       r.metadata.size());
  }
  return std::nullopt;
}

security::acl_binding binding(resource_type type, std::string name, security::pattern_type p,
                              std::string principal, acl_operation op) {
  return {type, std::move(name), p, std::move(principal), "*", op, security::acl_permission::allow};
}

}  // namespace

agent_registry::agent_registry(backend::event_backend& events, security::user_directory& users,
                               security::acl_authorizer& acls, agent_store& store,
                               security::audit_log* audit, const registry_options& options)
    : _events(events),
      _users(users),
      _acls(acls),
      _store(store),
      _audit(audit),
      _names(options.names, options.name_seed),
      _audit_topic(options.audit_topic) {}

agent_view agent_registry::view_of(agent_record a) {
  agent_view v;
  v.username = username_of(a.id);
  v.principal = "User:" + v.username;
  v.agent = std::move(a);
  return v;
}

bool agent_registry::taken(const std::string& topic) const {
  auto used = _store.name_used(topic);
  if (!used || *used) {
    return true;
  }
  auto found = backend::wait_for<backend::topic_info>(
      [&](auto done) { _events.describe_topic(topic, std::move(done)); });
  return found || found.error().code != kafka_error::unknown_topic_or_partition;
}

registry_result<void> agent_registry::make_topic(const agent_record& a) {
  backend::new_topic t;
  t.name = a.topic;
  t.partitions = a.partitions;
  if (a.retention_ms) {
    t.configs["retention.ms"] = std::to_string(*a.retention_ms);
  }
  auto made = backend::wait_for<backend::topic_info>(
      [&](auto done) { _events.create_topic(std::move(t), std::move(done)); });
  if (!made) {
    const int status = made.error().code == kafka_error::topic_already_exists ? 409 : 500;
    return unexpected(
        registry_error{status, status,
                       "cannot create the agent's topic " + a.topic + ": " + made.error().message});
  }
  return {};
}

registry_result<std::string> agent_registry::new_password(const agent_record& a) {
  std::string password = base64url_encode(security::random_bytes(24));
  auto credential =
      security::scram_credential_from_password(security::scram_mechanism::sha512, password);
  if (auto st = _users.put(username_of(a.id), credential); !st) {
    return unexpected(internal("cannot store the agent's credentials: " + st.error().message()));
  }
  return password;
}

registry_result<void> agent_registry::grant(const agent_record& a) {
  const std::string agent = "User:" + username_of(a.id);
  using security::pattern_type;
  std::vector<security::acl_binding> bindings;
  for (auto op : {acl_operation::read, acl_operation::write, acl_operation::describe}) {
    bindings.push_back(binding(resource_type::topic, a.topic, pattern_type::literal, agent, op));
  }
  bindings.push_back(binding(resource_type::group, a.topic + ".", pattern_type::prefixed, agent,
                             acl_operation::read));
  for (auto op : {acl_operation::read, acl_operation::describe}) {
    bindings.push_back(binding(resource_type::topic, a.topic, pattern_type::literal, a.owner, op));
  }
  if (auto st = _acls.create(bindings); !st) {
    return unexpected(internal("cannot store the agent's ACLs: " + st.error().message()));
  }
  return {};
}

registry_result<void> agent_registry::announce(const agent_record& a) {
  json_writer w;
  w.begin_object().key("type").value("agent_registered").key("agent").value(a.id);
  w.key("name").value(a.name).key("owner").value(a.owner).key("topic").value(a.topic);
  w.key("principal").value("User:" + username_of(a.id));
  w.key("time").value(format_iso8601(wall_clock_ms())).end_object();
  backend::produce_record r;
  r.key = a.id;
  r.value = w.take();
  r.partition = 0;
  auto results = backend::wait_for_produce(_events, a.topic, {std::move(r)});
  if (results.size() != 1 || results.front().error) {
    return unexpected(
        internal("cannot write the registration event: " +
                 (results.empty() ? std::string("no answer") : results.front().error->message)));
  }
  return {};
}

registry_result<void> agent_registry::undo(const agent_record& a, bool delete_topic) {
  if (auto revoked = revoke(a, true); !revoked) {
    return revoked;
  }
  if (delete_topic) {
    auto deleted =
        backend::wait_for<void>([&](auto done) { _events.delete_topic(a.topic, std::move(done)); });
    if (!deleted && deleted.error().code != kafka_error::unknown_topic_or_partition) {
      return unexpected(
          internal("cannot delete the agent's topic " + a.topic + ": " + deleted.error().message));
    }
  }
  if (auto removed = _store.remove(a.id, false); !removed) {
    return unexpected(internal("cannot remove the agent: " + removed.error().message()));
  }
  return {};
}

registry_result<void> agent_registry::revoke(const agent_record& a, bool owners_too) {
  const std::string agent = "User:" + username_of(a.id);
  security::acl_filter mine;
  mine.principal = agent;
  mine.pattern = security::pattern_type::any;  // its topic (literal) and group prefix (prefixed)
  security::acl_filter owners;
  owners.type = static_cast<int8_t>(resource_type::topic);
  owners.name = a.topic;
  owners.pattern = security::pattern_type::literal;
  owners.principal = a.owner;
  std::vector<security::acl_filter> filters{mine};
  if (owners_too) {
    filters.push_back(owners);
  }
  for (const auto& f : filters) {
    if (auto removed = _acls.remove(f); !removed) {
      return unexpected(internal("cannot remove the agent's ACLs: " + removed.error().message()));
    }
  }
  if (auto gone = _users.remove_user(username_of(a.id)); !gone) {
    return unexpected(internal("cannot remove the agent's login: " + gone.error().message()));
  }
  return {};
}

registry_result<void> agent_registry::recover() {
  for (const auto& [state, delete_topic] :
       {std::pair{"creating", true}, {"deleting", true}, {"deleting_keep_topic", false}}) {
    auto agents = _store.in_state(state);
    if (!agents) {
      return unexpected(internal("cannot read the registry: " + agents.error().message()));
    }
    for (const auto& a : *agents) {
      log::info("registry: finishing what a stop interrupted: agent {} ({}), {}", a.id, a.topic,
                state == std::string_view("creating") ? "registration undone" : "deleted");
      if (auto st = undo(a, delete_topic); !st) {
        return st;
      }
    }
  }
  return {};
}

registry_result<registered> agent_registry::register_new(
    const caller& c, const registration& r, const std::optional<std::string>& idempotency_key) {
  if (auto problem = problem_of(r)) {
    return unexpected(bad_request(*problem));
  }
  for (int attempt = 0; attempt < registration_attempts; ++attempt) {
    auto topic = _names.next([this](const std::string& n) { return taken(n); });
    if (!topic) {
      return unexpected(registry_error{503, 503, "no free agent name found: try again"});
    }
    agent_record a;
    a.id = hex_lower(security::random_bytes(8));
    a.name = r.name;
    a.owner = c.who.to_string();
    a.topic = *topic;
    a.state = "creating";
    a.partitions = r.partitions;
    a.retention_ms = r.retention_ms;
    a.metadata = r.metadata;
    a.public_key = r.public_key;
    auto claimed = _store.claim(a, idempotency_key);
    if (!claimed) {
      return unexpected(internal("cannot store the agent: " + claimed.error().message()));
    }
    using outcome = agent_store::claim_outcome;
    if (claimed->outcome == outcome::idempotent) {
      auto& existing = *claimed->existing;
      if (existing.state != "active" && existing.state != "disabled") {
        return unexpected(registry_error{
            409, 409, "the registration with this Idempotency-Key is not finished: retry"});
      }
      auto password = new_password(existing);
      if (!password) {
        return unexpected(password.error());
      }
      return registered{view_of(existing), std::move(*password), false};
    }
    if (claimed->outcome != outcome::claimed) {
      continue;  // the name or the id was taken in the meantime: draw again
    }
    auto fail = [&](registry_error e) -> registry_result<registered> {
      if (auto undone = undo(a, true); !undone) {
        log::error("registry: agent {} half-made and not undone ({}): recover() will", a.id,
                   undone.error().message);
      }
      return unexpected(std::move(e));
    };
    if (auto made = make_topic(a); !made) {
      if (made.error().status == 409) {  // a topic of that name appeared: another name
        if (auto undone = undo(a, false); !undone) {
          return unexpected(undone.error());
        }
        continue;
      }
      return fail(made.error());
    }
    auto password = new_password(a);
    if (!password) {
      return fail(password.error());
    }
    if (auto granted = grant(a); !granted) {
      return fail(granted.error());
    }
    if (auto announced = announce(a); !announced) {
      return fail(announced.error());
    }
    a.state = "active";
    if (auto saved = save(a); !saved) {
      return fail(saved.error());
    }
    auto stored = _store.get(a.id);
    return registered{view_of(stored && *stored ? **stored : a), std::move(*password), true};
  }
  return unexpected(registry_error{503, 503, "no free agent name found: try again"});
}

template <typename T>
registry_result<T> agent_registry::audited(const caller& c, const char* operation,
                                           const std::string& id, registry_result<T> r) const {
  if (_audit != nullptr) {
    security::audit_event e;
    e.event = "registry";
    e.outcome = r ? "success" : "failure";
    e.client = c.client.starts_with('/') ? c.client.substr(1) : c.client;
    e.principal = c.who.to_string();
    e.operation = operation;
    e.resource_type = "AGENT";
    e.resource_name = id;
    if (!r) {
      e.reason = r.error().message;
    }
    _audit->record(e);
  }
  return r;
}

registry_result<registered> agent_registry::register_agent(
    const caller& c, const registration& r, const std::optional<std::string>& idempotency_key) {
  auto done = register_new(c, r, idempotency_key);
  const char* operation = done && !done->created ? "REGISTER_RETRY" : "REGISTER";
  const std::string id = done ? done->agent.agent.id : std::string();
  return audited(c, operation, id, std::move(done));
}

registry_result<agent_view> agent_registry::update(const caller& c, const std::string& id,
                                                   const agent_patch& patch) {
  return audited(c, "UPDATE", id, update_agent(c, id, patch));
}

registry_result<registered> agent_registry::rotate(const caller& c, const std::string& id) {
  return audited(c, "ROTATE_CREDENTIALS", id, rotate_credentials(c, id));
}

registry_result<agent_view> agent_registry::disable(const caller& c, const std::string& id) {
  return audited(c, "DISABLE", id, disable_agent(c, id));
}

registry_result<registered> agent_registry::enable(const caller& c, const std::string& id) {
  return audited(c, "ENABLE", id, enable_agent(c, id));
}

registry_result<void> agent_registry::remove(const caller& c, const std::string& id,
                                             bool delete_topic) {
  return audited(c, delete_topic ? "DELETE_WITH_TOPIC" : "DELETE", id,
                 remove_agent(c, id, delete_topic));
}

registry_result<std::vector<std::string>> agent_registry::logins(const caller& c,
                                                                 const std::string& id,
                                                                 int64_t since_ms,
                                                                 size_t limit) const {
  auto found = get(c, id);
  if (!found) {
    return unexpected(found.error());
  }
  if (_audit_topic.empty()) {
    return unexpected(registry_error{
        503, 503, "this server keeps no audit log (audit.enabled): no logins to read"});
  }
  const std::string user = found->username;
  const std::string principal = found->principal;
  auto topic = backend::wait_for<backend::topic_info>(
      [&](auto done) { _events.describe_topic(_audit_topic, std::move(done)); });
  if (!topic) {
    return unexpected(
        internal("cannot read the audit topic " + _audit_topic + ": " + topic.error().message));
  }
  // Each partition from the first record at or after `since_ms` to its end, the agent's
  // authentication records kept (each partition's in time order; merged below).
  std::vector<std::pair<std::string, std::string>> found_records;  // (time, record)
  simdjson::dom::parser parser;
  for (const auto& p : topic->partitions) {
    auto from = backend::wait_for<int64_t>(
        [&](auto done) { _events.offset_for_time(_audit_topic, p.id, since_ms, std::move(done)); });
    auto range = backend::wait_for<backend::partition_offsets>(
        [&](auto done) { _events.offsets(_audit_topic, p.id, std::move(done)); });
    if (!from || !range) {
      return unexpected(internal("cannot read the audit topic " + _audit_topic + ": " +
                                 (from ? range.error().message : from.error().message)));
    }
    size_t kept = 0;
    for (int64_t offset = std::max(*from, range->beginning); offset < range->end && kept < limit;) {
      backend::fetch_request f;
      f.topic = _audit_topic;
      f.partition = p.id;
      f.offset = offset;
      auto got = backend::wait_for<std::vector<backend::fetched_record>>(
          [&](auto done) { _events.fetch(f, std::move(done)); });
      if (!got) {
        return unexpected(
            internal("cannot read the audit topic " + _audit_topic + ": " + got.error().message));
      }
      if (got->empty()) {
        break;
      }
      for (const auto& r : *got) {
        offset = r.offset + 1;
        simdjson::dom::element e;
        std::string_view event;
        std::string_view time;
        if (!r.value || r.timestamp_ms < since_ms ||
            parser.parse(*r.value).get(e) != simdjson::SUCCESS ||
            e["event"].get(event) != simdjson::SUCCESS || event != "authentication" ||
            e["time"].get(time) != simdjson::SUCCESS) {
          continue;
        }
        std::string_view who;
        const bool mine = (e["principal"].get(who) == simdjson::SUCCESS && who == principal) ||
                          (e["user"].get(who) == simdjson::SUCCESS && who == user);
        if (mine && kept < limit) {
          found_records.emplace_back(std::string(time), *r.value);
          ++kept;
        }
      }
    }
  }
  std::stable_sort(found_records.begin(), found_records.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (auto& [time, record] : found_records) {
    if (out.size() == limit) {
      break;
    }
    out.push_back(std::move(record));
  }
  return out;
}

registry_result<void> agent_registry::save(const agent_record& a) {
  if (auto updated = _store.update(a); !updated) {
    return unexpected(internal("cannot store the agent: " + updated.error().message()));
  }
  return {};
}

registry_result<agent_view> agent_registry::get(const caller& c, const std::string& id) const {
  auto found = _store.get(id);
  if (!found) {
    return unexpected(internal("cannot read the registry: " + found.error().message()));
  }
  if (!*found || (!c.admin && (*found)->owner != c.who.to_string()) ||
      (*found)->state.starts_with("deleting") || (*found)->state == "creating") {
    return unexpected(not_found(id));
  }
  return view_of(std::move(**found));
}

registry_result<std::vector<agent_view>> agent_registry::list(const caller& c,
                                                              const std::string& after_id,
                                                              size_t limit) const {
  auto agents =
      _store.list(c.admin ? std::nullopt : std::optional(c.who.to_string()), after_id, limit);
  if (!agents) {
    return unexpected(internal("cannot read the registry: " + agents.error().message()));
  }
  std::vector<agent_view> out;
  for (auto& a : *agents) {
    if (a.state == "active" || a.state == "disabled") {
      out.push_back(view_of(std::move(a)));
    }
  }
  return out;
}

registry_result<void> agent_registry::remove_agent(const caller& c, const std::string& id,
                                                   bool delete_topic) {
  auto found = get(c, id);
  if (!found) {
    return unexpected(found.error());
  }
  auto a = found->agent;
  a.state = delete_topic ? "deleting" : "deleting_keep_topic";
  if (auto saved = save(a); !saved) {
    return unexpected(saved.error());
  }
  return undo(a, delete_topic);
}

registry_result<agent_view> agent_registry::update_agent(const caller& c, const std::string& id,
                                                         const agent_patch& patch) {
  auto found = get(c, id);
  if (!found) {
    return unexpected(found.error());
  }
  auto a = found->agent;
  registration check;
  check.name = patch.name.value_or(a.name);
  check.metadata = patch.metadata.value_or(a.metadata);
  check.retention_ms = patch.retention_ms.value_or(a.retention_ms);
  check.partitions = a.partitions;
  if (auto problem = problem_of(check)) {
    return unexpected(bad_request(*problem));
  }
  if (patch.retention_ms && *patch.retention_ms != a.retention_ms) {
    backend::config_change change;  // no value: back to the broker's default
    change.name = "retention.ms";
    if (*patch.retention_ms) {
      change.value = std::to_string(**patch.retention_ms);
    }
    auto altered = backend::wait_for<void>(
        [&](auto done) { _events.alter_topic_configs(a.topic, {change}, false, std::move(done)); });
    if (!altered) {
      return unexpected(
          internal("cannot change the topic's retention: " + altered.error().message));
    }
  }
  a.name = check.name;
  a.metadata = check.metadata;
  a.retention_ms = check.retention_ms;
  if (auto saved = save(a); !saved) {
    return unexpected(saved.error());
  }
  return get(c, id);
}

registry_result<registered> agent_registry::rotate_credentials(const caller& c,
                                                               const std::string& id) {
  auto found = get(c, id);
  if (!found) {
    return unexpected(found.error());
  }
  if (found->agent.state != "active") {
    return unexpected(registry_error{409, 409, "agent " + id + " is disabled: enable it"});
  }
  auto password = new_password(found->agent);
  if (!password) {
    return unexpected(password.error());
  }
  return registered{std::move(*found), std::move(*password), false};
}

registry_result<agent_view> agent_registry::disable_agent(const caller& c, const std::string& id) {
  auto found = get(c, id);
  if (!found) {
    return unexpected(found.error());
  }
  auto a = found->agent;
  if (a.state == "disabled") {
    return *found;
  }
  // Marked first: a crash in between leaves a disabled agent with something left to take
  // away, which disabling again finishes (never an active one missing its access).
  a.state = "disabled";
  if (auto saved = save(a); !saved) {
    return unexpected(saved.error());
  }
  if (auto revoked = revoke(a, false); !revoked) {
    return unexpected(revoked.error());
  }
  return get(c, id);
}

registry_result<registered> agent_registry::enable_agent(const caller& c, const std::string& id) {
  auto found = get(c, id);
  if (!found) {
    return unexpected(found.error());
  }
  auto a = found->agent;
  auto password = new_password(a);
  if (!password) {
    return unexpected(password.error());
  }
  if (auto granted = grant(a); !granted) {
    return unexpected(granted.error());
  }
  a.state = "active";
  if (auto saved = save(a); !saved) {
    return unexpected(saved.error());
  }
  auto now = get(c, id);
  if (!now) {
    return unexpected(now.error());
  }
  return registered{std::move(*now), std::move(*password), false};
}

}  // namespace brook::registry
