// registry_store: the agent registry's state (registry/), in one SQLite database of its own,
// <data_dir>/registry.db (doc/formats/registry-db.md): the agents, every topic name ever
// given to one (names are not reused), and the Idempotency-Keys of registrations.
//
// Schema (version 1):
//   schema_version(version INTEGER)
//   agents(id TEXT PRIMARY KEY, name TEXT, owner TEXT, topic TEXT UNIQUE, state TEXT,
//          partitions INTEGER, retention_ms INTEGER NULL, metadata TEXT, public_key TEXT NULL,
//          created_at_ms INTEGER, updated_at_ms INTEGER)
//   used_names(name TEXT PRIMARY KEY, agent_id TEXT, used_at_ms INTEGER)
//   idempotency_keys(owner TEXT, key TEXT, agent_id TEXT, created_at_ms INTEGER,
//                    PRIMARY KEY (owner, key))
// `state` is the registry's word for where an agent is (creating, active, disabled,
// deleting); what the states mean is registry/'s business, as is checking the values.
//
// Durability: WAL journal with synchronous=FULL; each call is one transaction, durable
// before it returns. Thread-safe: one connection, one mutex.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "storage/sqlite/database.h"

namespace brook::storage {

struct stored_agent {
  std::string id;
  std::string name;   // as its owner calls it
  std::string owner;  // a principal, "User:alice"
  std::string topic;
  std::string state;
  int32_t partitions = 1;
  std::optional<int64_t> retention_ms;  // none: the broker's default
  std::string metadata = "{}";          // a JSON object's text
  std::optional<std::string> public_key;
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;
  bool operator==(const stored_agent&) const = default;
};

class registry_store {
 public:
  static constexpr std::string_view file_name = "registry.db";
  static constexpr int schema_version = 1;

  static result<std::unique_ptr<registry_store>> open(const std::filesystem::path& path);
  registry_store(const registry_store&) = delete;
  registry_store& operator=(const registry_store&) = delete;

  enum class claim_outcome {
    claimed,     // stored, its topic name marked used, its key recorded
    name_taken,  // the topic name was given before (to this agent or another): nothing stored
    id_taken,    // an agent has this id: nothing stored
    idempotent,  // the owner's key names an agent already: nothing stored; `existing` is it
  };
  struct claim_result {
    claim_outcome outcome = claim_outcome::claimed;
    std::optional<stored_agent> existing;
  };
  // Stores a new agent (its timestamps are set here), all or nothing: the agent, its topic
  // name among the used names, and the owner's idempotency key if given.
  result<claim_result> claim(const stored_agent& agent,
                             const std::optional<std::string>& idempotency_key);

  // Whether the topic name was ever given to an agent.
  result<bool> name_used(std::string_view name) const;
  result<std::optional<stored_agent>> get(std::string_view id) const;
  // Agents by id after `after_id` ("" from the first), at most `limit`; of `owner` only
  // when given.
  result<std::vector<stored_agent>> list(const std::optional<std::string>& owner,
                                         std::string_view after_id, size_t limit) const;
  result<std::vector<stored_agent>> in_state(std::string_view state) const;
  // Replaces the agent's name, state, retention, metadata and public key (id, owner, topic,
  // partitions and created_at_ms stay); updated_at_ms is set here. False: no such agent.
  result<bool> update(const stored_agent& agent);
  // Removes the agent and its idempotency keys; its topic name stays used unless
  // `release_name`. False: no such agent.
  result<bool> remove(std::string_view id, bool release_name);

 private:
  explicit registry_store(sqlite::database db);

  mutable std::mutex _mutex;
  mutable sqlite::database _db;  // guarded by _mutex
};

}  // namespace brook::storage
