// agent_registry: registers software agents (issue 15, doc/registry.md): each gets a topic
// of its own with a random-word name, a login of its own (User:agent-<id>, SCRAM-SHA-512,
// the password shown once), ACLs that let it use that topic and nothing else, and a first
// record on the topic announcing it. A registration completes whole or leaves nothing:
// the agent is stored first (state creating, in the agent_store it is given), then its topic,
// login, ACLs and announcement are made, then it is marked active; recover() at start undoes
// whatever a crash left half-made. Deleting revokes the login and the ACLs, and the topic when
// asked.
//
// Over the event backend (topics, the announcement), the user directory (logins) and the
// ACL authorizer (bindings). Calls block (the HTTP layer runs them off its I/O threads);
// thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backend/event_backend.h"
#include "base/expected.h"
#include "registry/agent_names.h"
#include "registry/agent_store.h"
#include "security/acl_authorizer.h"
#include "security/audit_log.h"
#include "security/principal.h"
#include "security/user_directory.h"

namespace brook::registry {

// A refusal as the API answers it: an HTTP status, a REST error code (the status itself,
// as the REST Proxy's bare codes) and a message.
struct registry_error {
  int status = 500;
  int code = 500;
  std::string message;
};
template <typename T>
using registry_result = expected<T, registry_error>;

struct registration {
  std::string name;                     // what the owner calls it: 1 to 200 characters
  int32_t partitions = 1;               // 1 to 1000
  std::optional<int64_t> retention_ms;  // -1 (forever) or at least 1000; none: the default
  std::string metadata = "{}";          // a JSON object's text, up to 16 KiB
  std::optional<std::string> public_key;
};

// What PATCH changes; what is absent stays.
struct agent_patch {
  std::optional<std::string> name;
  std::optional<std::string> metadata;  // a JSON object's text
  // Set: the topic's retention.ms (-1 or at least 1000); set to nullopt: the broker's
  // default again.
  std::optional<std::optional<int64_t>> retention_ms;
};

struct agent_view {
  agent_record agent;
  std::string principal;  // User:agent-<id>
  std::string username;   // agent-<id>
};

struct registered {
  agent_view agent;
  std::string password;  // shown once
  bool created = true;   // false: an Idempotency-Key's retry (new credentials, same agent)
};

// Who calls: the request's principal and address, and whether it is an admin (may see
// and manage every agent; the HTTP layer asks the ACLs: ALTER on the cluster).
struct caller {
  security::principal who;
  std::string client;  // the client's address, for the audit records
  bool admin = false;
};

struct registry_options {
  agent_name_options names;
  // The audit topic (audit.topic) the agents' logins are read back from; empty when the
  // server keeps no audit log.
  std::string audit_topic;
  uint64_t name_seed = 0;  // 0: random (tests give one to know the first names drawn)
};

class agent_registry {
 public:
  // Each change an owner makes (or tries) is recorded on `audit` when given.
  agent_registry(backend::event_backend& events, security::user_directory& users,
                 security::acl_authorizer& acls, agent_store& store, security::audit_log* audit,
                 const registry_options& options = {});

  // Undoes the registrations and deletions a crash left half-done. Before serving.
  registry_result<void> recover();

  // The caller becomes the agent's owner.
  registry_result<registered> register_agent(const caller& c, const registration& r,
                                             const std::optional<std::string>& idempotency_key);
  // The agent, if the caller owns it or is an admin; 404 otherwise (another owner's agent
  // is not told apart from a missing one).
  registry_result<agent_view> get(const caller& c, const std::string& id) const;
  // The caller's agents (every agent for an admin) after `after_id`, at most `limit`.
  registry_result<std::vector<agent_view>> list(const caller& c, const std::string& after_id,
                                                size_t limit) const;
  registry_result<agent_view> update(const caller& c, const std::string& id,
                                     const agent_patch& patch);
  // A new password (shown once); the old one stops working at once. 409 when disabled.
  registry_result<registered> rotate(const caller& c, const std::string& id);
  // Disabling takes the login and the ACLs away (the agent, its topic and data stay);
  // enabling gives them back, with a new password.
  registry_result<agent_view> disable(const caller& c, const std::string& id);
  registry_result<registered> enable(const caller& c, const std::string& id);
  // Revokes the login and the ACLs; deletes the topic when `delete_topic`.
  registry_result<void> remove(const caller& c, const std::string& id, bool delete_topic);

  // The agent's logins and failed logins since `since_ms` (inclusive), oldest first, at
  // most `limit`: the audit topic's authentication records (doc/formats/audit-record.md)
  // for its user name, as they were written. 503 without an audit topic.
  registry_result<std::vector<std::string>> logins(const caller& c, const std::string& id,
                                                   int64_t since_ms, size_t limit) const;

  static std::string username_of(const std::string& id) { return "agent-" + id; }

 private:
  // The calls above that change something, unaudited.
  registry_result<registered> register_new(const caller& c, const registration& r,
                                           const std::optional<std::string>& idempotency_key);
  registry_result<agent_view> update_agent(const caller& c, const std::string& id,
                                           const agent_patch& patch);
  registry_result<registered> rotate_credentials(const caller& c, const std::string& id);
  registry_result<agent_view> disable_agent(const caller& c, const std::string& id);
  registry_result<registered> enable_agent(const caller& c, const std::string& id);
  registry_result<void> remove_agent(const caller& c, const std::string& id, bool delete_topic);
  // Records what the caller did to agent `id` (`operation`: REGISTER, UPDATE, ...) on the
  // audit log, a success or a failure with its reason; answers `r`.
  template <typename T>
  registry_result<T> audited(const caller& c, const char* operation, const std::string& id,
                             registry_result<T> r) const;

  // Whether a topic name may not be given: ever given, or a topic exists.
  bool taken(const std::string& topic) const;
  registry_result<void> make_topic(const agent_record& a);
  // A new password for the agent's login (the old one stops working at once).
  registry_result<std::string> new_password(const agent_record& a);
  registry_result<void> grant(const agent_record& a);
  registry_result<void> announce(const agent_record& a);
  // Takes away what an agent was given: ACLs, login, and the topic when asked.
  registry_result<void> undo(const agent_record& a, bool delete_topic);
  // The agent's ACLs and login (and the owner's ACLs on its topic when `owners_too`).
  registry_result<void> revoke(const agent_record& a, bool owners_too);
  // Stores the agent's changed fields (agent_store::update).
  registry_result<void> save(const agent_record& a);
  static agent_view view_of(agent_record a);

  backend::event_backend& _events;
  security::user_directory& _users;
  security::acl_authorizer& _acls;
  agent_store& _store;
  security::audit_log* _audit;
  agent_name_generator _names;
  const std::string _audit_topic;
};

}  // namespace brook::registry
