#include "app/sqlite_agent_store.h"

#include "base/clock.h"
#include "storage/sqlite/statement.h"
#include "storage/sqlite/transaction.h"

namespace brook::app {
namespace {

using registry::agent_record;
using storage::sqlite::statement;
using storage::sqlite::transaction;
namespace sqlite = storage::sqlite;

// Migration n (1-based) takes the schema from version n - 1 to n (sqlite/schema.h). Append
// only: never edit a migration that has shipped.
const char* const migrations[] = {
    // 1: agents, the names they were given, registrations' idempotency keys.
    "CREATE TABLE agents ("
    "  id TEXT PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  owner TEXT NOT NULL,"
    "  topic TEXT NOT NULL UNIQUE,"
    "  state TEXT NOT NULL,"
    "  partitions INTEGER NOT NULL,"
    "  retention_ms INTEGER,"
    "  metadata TEXT NOT NULL,"
    "  public_key TEXT,"
    "  created_at_ms INTEGER NOT NULL,"
    "  updated_at_ms INTEGER NOT NULL);"
    "CREATE INDEX agents_by_owner ON agents (owner, id);"
    "CREATE TABLE used_names ("
    "  name TEXT PRIMARY KEY,"
    "  agent_id TEXT NOT NULL,"
    "  used_at_ms INTEGER NOT NULL);"
    "CREATE TABLE idempotency_keys ("
    "  owner TEXT NOT NULL,"
    "  key TEXT NOT NULL,"
    "  agent_id TEXT NOT NULL,"
    "  created_at_ms INTEGER NOT NULL,"
    "  PRIMARY KEY (owner, key));",
};
static_assert(std::size(migrations) == sqlite_agent_store::schema_version);

constexpr const char* agent_columns =
    "id, name, owner, topic, state, partitions, retention_ms, metadata, public_key, "
    "created_at_ms, updated_at_ms";

agent_record agent_of(const statement& s) {
  agent_record a;
  a.id = s.text(0);
  a.name = s.text(1);
  a.owner = s.text(2);
  a.topic = s.text(3);
  a.state = s.text(4);
  a.partitions = static_cast<int32_t>(s.int64(5));
  if (!s.is_null(6)) {
    a.retention_ms = s.int64(6);
  }
  a.metadata = s.text(7);
  if (!s.is_null(8)) {
    a.public_key = s.text(8);
  }
  a.created_at_ms = s.int64(9);
  a.updated_at_ms = s.int64(10);
  return a;
}

// Every agent the statement selects (its columns: agent_columns).
result<std::vector<agent_record>> agents_of(statement& s) {
  std::vector<agent_record> out;
  if (auto st = s.each_row([&] { out.push_back(agent_of(s)); }); !st) {
    return st.error();
  }
  return out;
}

result<std::optional<agent_record>> find_agent(sqlite::database& db, std::string_view id) {
  statement s(db, std::string("SELECT ") + agent_columns + " FROM agents WHERE id = ?1");
  s.bind(1, id);
  auto found = agents_of(s);
  if (!found) {
    return found.error();
  }
  if (found->empty()) {
    return std::optional<agent_record>();
  }
  return std::optional<agent_record>(std::move(found->front()));
}

result<bool> exists(sqlite::database& db, const char* sql, std::string_view a,
                    std::optional<std::string_view> b = std::nullopt) {
  statement s(db, sql);
  s.bind(1, a);
  if (b) {
    s.bind(2, *b);
  }
  return s.step();
}

}  // namespace

sqlite_agent_store::sqlite_agent_store(sqlite::database db) : _db(std::move(db)) {}

result<std::unique_ptr<sqlite_agent_store>> sqlite_agent_store::open(
    const std::filesystem::path& path) {
  auto db = sqlite::database::open(path, sqlite::schema{migrations}, sqlite::synchronous::full);
  if (!db) {
    return db.error();
  }
  return std::unique_ptr<sqlite_agent_store>(new sqlite_agent_store(std::move(db).value()));
}

result<sqlite_agent_store::claim_result> sqlite_agent_store::claim(
    const agent_record& agent, const std::optional<std::string>& idempotency_key) {
  std::lock_guard lock(_mutex);
  auto tx = transaction::begin(_db, transaction::kind::write);
  if (!tx) {
    return tx.error();
  }
  if (idempotency_key) {
    statement s(_db, "SELECT agent_id FROM idempotency_keys WHERE owner = ?1 AND key = ?2");
    s.bind(1, agent.owner).bind(2, *idempotency_key);
    auto row = s.step();
    if (!row) {
      return row.error();
    }
    if (*row) {
      auto existing = find_agent(_db, s.text(0));
      if (!existing) {
        return existing.error();
      }
      return claim_result{claim_outcome::idempotent, std::move(*existing)};
    }
  }
  auto used = exists(_db, "SELECT 1 FROM used_names WHERE name = ?1", agent.topic);
  if (!used) {
    return used.error();
  }
  if (*used) {
    return claim_result{claim_outcome::name_taken, std::nullopt};
  }
  auto taken = exists(_db, "SELECT 1 FROM agents WHERE id = ?1", agent.id);
  if (!taken) {
    return taken.error();
  }
  if (*taken) {
    return claim_result{claim_outcome::id_taken, std::nullopt};
  }
  const int64_t now = wall_clock_ms();
  statement insert(_db, std::string("INSERT INTO agents (") + agent_columns +
                            ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)");
  insert.bind(1, agent.id)
      .bind(2, agent.name)
      .bind(3, agent.owner)
      .bind(4, agent.topic)
      .bind(5, agent.state)
      .bind(6, int64_t{agent.partitions});
  if (agent.retention_ms) {
    insert.bind(7, *agent.retention_ms);
  } else {
    insert.bind(7, std::nullopt);
  }
  insert.bind(8, agent.metadata).bind(9, agent.public_key).bind(10, now);
  if (auto st = insert.run(); !st) {
    return st.error();
  }
  statement name(_db, "INSERT INTO used_names (name, agent_id, used_at_ms) VALUES (?1, ?2, ?3)");
  if (auto st = name.bind(1, agent.topic).bind(2, agent.id).bind(3, now).run(); !st) {
    return st.error();
  }
  if (idempotency_key) {
    statement key(_db,
                  "INSERT INTO idempotency_keys (owner, key, agent_id, created_at_ms) "
                  "VALUES (?1, ?2, ?3, ?4)");
    if (auto st =
            key.bind(1, agent.owner).bind(2, *idempotency_key).bind(3, agent.id).bind(4, now).run();
        !st) {
      return st.error();
    }
  }
  if (auto st = tx->commit(); !st) {
    return st.error();
  }
  return claim_result{claim_outcome::claimed, std::nullopt};
}

result<bool> sqlite_agent_store::name_used(std::string_view name) const {
  std::lock_guard lock(_mutex);
  return exists(_db, "SELECT 1 FROM used_names WHERE name = ?1", name);
}

result<std::optional<agent_record>> sqlite_agent_store::get(std::string_view id) const {
  std::lock_guard lock(_mutex);
  return find_agent(_db, id);
}

result<std::vector<agent_record>> sqlite_agent_store::list(const std::optional<std::string>& owner,
                                                           std::string_view after_id,
                                                           size_t limit) const {
  std::lock_guard lock(_mutex);
  statement s(_db, std::string("SELECT ") + agent_columns +
                       " FROM agents WHERE id > ?1 AND (?2 IS NULL OR owner = ?2) ORDER BY id "
                       "LIMIT ?3");
  s.bind(1, after_id).bind(2, owner).bind(3, static_cast<int64_t>(limit));
  return agents_of(s);
}

result<std::vector<agent_record>> sqlite_agent_store::in_state(std::string_view state) const {
  std::lock_guard lock(_mutex);
  statement s(_db,
              std::string("SELECT ") + agent_columns + " FROM agents WHERE state = ?1 ORDER BY id");
  s.bind(1, state);
  return agents_of(s);
}

result<bool> sqlite_agent_store::update(const agent_record& agent) {
  std::lock_guard lock(_mutex);
  auto tx = transaction::begin(_db, transaction::kind::write);
  if (!tx) {
    return tx.error();
  }
  auto found = exists(_db, "SELECT 1 FROM agents WHERE id = ?1", agent.id);
  if (!found) {
    return found.error();
  }
  if (!*found) {
    return false;
  }
  statement s(_db,
              "UPDATE agents SET name = ?2, state = ?3, retention_ms = ?4, metadata = ?5, "
              "public_key = ?6, updated_at_ms = ?7 WHERE id = ?1");
  s.bind(1, agent.id).bind(2, agent.name).bind(3, agent.state);
  if (agent.retention_ms) {
    s.bind(4, *agent.retention_ms);
  } else {
    s.bind(4, std::nullopt);
  }
  s.bind(5, agent.metadata).bind(6, agent.public_key).bind(7, wall_clock_ms());
  if (auto st = s.run(); !st) {
    return st.error();
  }
  if (auto st = tx->commit(); !st) {
    return st.error();
  }
  return true;
}

result<bool> sqlite_agent_store::remove(std::string_view id, bool release_name) {
  std::lock_guard lock(_mutex);
  auto tx = transaction::begin(_db, transaction::kind::write);
  if (!tx) {
    return tx.error();
  }
  auto found = find_agent(_db, id);
  if (!found) {
    return found.error();
  }
  if (!*found) {
    return false;
  }
  for (const char* sql :
       {"DELETE FROM agents WHERE id = ?1", "DELETE FROM idempotency_keys WHERE agent_id = ?1"}) {
    statement s(_db, sql);
    if (auto st = s.bind(1, id).run(); !st) {
      return st.error();
    }
  }
  if (release_name) {
    statement s(_db, "DELETE FROM used_names WHERE name = ?1");
    if (auto st = s.bind(1, (*found)->topic).run(); !st) {
      return st.error();
    }
  }
  if (auto st = tx->commit(); !st) {
    return st.error();
  }
  return true;
}

}  // namespace brook::app
