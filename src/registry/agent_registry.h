// agent_registry: registers software agents (issue 15, doc/registry.md): each gets a topic
// of its own with a random-word name, a login of its own (User:agent-<id>, SCRAM-SHA-512,
// the password shown once), ACLs that let it use that topic and nothing else, and a first
// record on the topic announcing it. A registration completes whole or leaves nothing:
// the agent is stored first (state creating, registry_store), then its topic, login, ACLs
// and announcement are made, then it is marked active; recover() at start undoes whatever
// a crash left half-made. Deleting revokes the login and the ACLs, and the topic when asked.
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
#include "security/acl_authorizer.h"
#include "security/principal.h"
#include "security/user_directory.h"
#include "storage/registry_store.h"

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
  storage::stored_agent agent;
  std::string principal;  // User:agent-<id>
  std::string username;   // agent-<id>
};

struct registered {
  agent_view agent;
  std::string password;  // shown once
  bool created = true;   // false: an Idempotency-Key's retry (new credentials, same agent)
};

struct registry_options {
  agent_name_options names;
  uint64_t name_seed = 0;  // 0: random (tests give one to know the first names drawn)
};

class agent_registry {
 public:
  agent_registry(backend::event_backend& events, security::user_directory& users,
                 security::acl_authorizer& acls, storage::registry_store& store,
                 const registry_options& options = {});

  // Undoes the registrations and deletions a crash left half-done. Before serving.
  registry_result<void> recover();

  registry_result<registered> register_agent(const security::principal& owner,
                                             const registration& r,
                                             const std::optional<std::string>& idempotency_key);
  // The agent, if `who` owns it or `admin`; 404 otherwise (another owner's agent is not
  // told apart from a missing one).
  registry_result<agent_view> get(const security::principal& who, bool admin,
                                  const std::string& id) const;
  // `who`'s agents (every agent for an admin) after `after_id`, at most `limit`.
  registry_result<std::vector<agent_view>> list(const security::principal& who, bool admin,
                                                const std::string& after_id, size_t limit) const;
  registry_result<agent_view> update(const security::principal& who, bool admin,
                                     const std::string& id, const agent_patch& patch);
  // A new password (shown once); the old one stops working at once. 409 when disabled.
  registry_result<registered> rotate(const security::principal& who, bool admin,
                                     const std::string& id);
  // Disabling takes the login and the ACLs away (the agent, its topic and data stay);
  // enabling gives them back, with a new password.
  registry_result<agent_view> disable(const security::principal& who, bool admin,
                                      const std::string& id);
  registry_result<registered> enable(const security::principal& who, bool admin,
                                     const std::string& id);
  // Revokes the login and the ACLs; deletes the topic when `delete_topic`.
  registry_result<void> remove(const security::principal& who, bool admin, const std::string& id,
                               bool delete_topic);

  static std::string username_of(const std::string& id) { return "agent-" + id; }

 private:
  // Whether a topic name may not be given: ever given, or a topic exists.
  bool taken(const std::string& topic) const;
  registry_result<void> make_topic(const storage::stored_agent& a);
  // A new password for the agent's login (the old one stops working at once).
  registry_result<std::string> new_password(const storage::stored_agent& a);
  registry_result<void> grant(const storage::stored_agent& a);
  registry_result<void> announce(const storage::stored_agent& a);
  // Takes away what an agent was given: ACLs, login, and the topic when asked.
  registry_result<void> undo(const storage::stored_agent& a, bool delete_topic);
  // The agent's ACLs and login (and the owner's ACLs on its topic when `owners_too`).
  registry_result<void> revoke(const storage::stored_agent& a, bool owners_too);
  static agent_view view_of(storage::stored_agent a);

  backend::event_backend& _events;
  security::user_directory& _users;
  security::acl_authorizer& _acls;
  storage::registry_store& _store;
  agent_name_generator _names;
};

}  // namespace brook::registry
