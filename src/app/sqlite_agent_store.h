// sqlite_agent_store: the agent registry's store (registry::agent_store) in one SQLite
// database of its own, <data_dir>/registry.db (doc/formats/registry-db.md): the agents,
// every topic name ever given to one (names are not reused), and the Idempotency-Keys of
// registrations. `brook serve` makes it and gives it to the registry (the registry sees
// only the interface: it reaches nothing of storage/).
//
// Schema (version 1):
//   schema_version(version INTEGER)
//   agents(id TEXT PRIMARY KEY, name TEXT, owner TEXT, topic TEXT UNIQUE, state TEXT,
//          partitions INTEGER, retention_ms INTEGER NULL, metadata TEXT, public_key TEXT NULL,
//          created_at_ms INTEGER, updated_at_ms INTEGER)
//   used_names(name TEXT PRIMARY KEY, agent_id TEXT, used_at_ms INTEGER)
//   idempotency_keys(owner TEXT, key TEXT, agent_id TEXT, created_at_ms INTEGER,
//                    PRIMARY KEY (owner, key))
//
// Durability: WAL journal with synchronous=FULL; each call is one transaction, durable
// before it returns. Thread-safe: one connection, one mutex.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "registry/agent_store.h"
#include "storage/sqlite/database.h"

namespace brook::app {

class sqlite_agent_store final : public registry::agent_store {
 public:
  static constexpr std::string_view file_name = "registry.db";
  static constexpr int schema_version = 1;

  static result<std::unique_ptr<sqlite_agent_store>> open(const std::filesystem::path& path);
  sqlite_agent_store(const sqlite_agent_store&) = delete;
  sqlite_agent_store& operator=(const sqlite_agent_store&) = delete;

  result<claim_result> claim(const registry::agent_record& agent,
                             const std::optional<std::string>& idempotency_key) override;
  result<bool> name_used(std::string_view name) const override;
  result<std::optional<registry::agent_record>> get(std::string_view id) const override;
  result<std::vector<registry::agent_record>> list(const std::optional<std::string>& owner,
                                                   std::string_view after_id,
                                                   size_t limit) const override;
  result<std::vector<registry::agent_record>> in_state(std::string_view state) const override;
  result<bool> update(const registry::agent_record& agent) override;
  result<bool> remove(std::string_view id, bool release_name) override;

 private:
  explicit sqlite_agent_store(storage::sqlite::database db);

  mutable std::mutex _mutex;
  mutable storage::sqlite::database _db;  // guarded by _mutex
};

}  // namespace brook::app
