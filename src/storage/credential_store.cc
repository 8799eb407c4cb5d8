#include "storage/credential_store.h"

#include "base/clock.h"
#include "storage/sqlite/statement.h"
#include "storage/sqlite/transaction.h"

namespace brook::storage {
namespace {

using sqlite::statement;

// Migration n (1-based) takes the schema from version n - 1 to n (sqlite/schema.h). Append
// only: never edit a migration that has shipped.
const char* const migrations[] = {
    // 1: SCRAM credentials.
    "CREATE TABLE scram_credentials ("
    "  user TEXT NOT NULL,"
    "  mechanism INTEGER NOT NULL,"
    "  salt BLOB NOT NULL,"
    "  stored_key BLOB NOT NULL,"
    "  server_key BLOB NOT NULL,"
    "  iterations INTEGER NOT NULL,"
    "  updated_at_ms INTEGER NOT NULL,"
    "  PRIMARY KEY (user, mechanism));",
    // 2: secrets the server keeps across restarts (the decoy credentials' key).
    "CREATE TABLE server_secrets ("
    "  name TEXT PRIMARY KEY NOT NULL,"
    "  value BLOB NOT NULL);",
};
static_assert(std::size(migrations) == credential_store::schema_version);

constexpr const char* columns = "user, mechanism, salt, stored_key, server_key, iterations";

stored_scram_credential credential_of(const statement& s) {
  return stored_scram_credential{s.text(0), static_cast<int8_t>(s.int64(1)), s.blob(2), s.blob(3),
                                 s.blob(4), static_cast<int32_t>(s.int64(5))};
}

}  // namespace

credential_store::credential_store(sqlite::database db) : _db(std::move(db)) {}

result<std::unique_ptr<credential_store>> credential_store::open(
    const std::filesystem::path& path) {
  auto db = sqlite::database::open(path, sqlite::schema{migrations}, sqlite::synchronous::full);
  if (!db) {
    return db.error();
  }
  // StoredKey and ServerKey are for this process only: owner read and write (SQLite gives
  // its -wal and -shm files the database's permissions).
  std::error_code ec;
  std::filesystem::permissions(
      path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
      std::filesystem::perm_options::replace, ec);
  if (ec) {
    return ec;
  }
  return std::unique_ptr<credential_store>(new credential_store(std::move(db).value()));
}

status credential_store::put(const stored_scram_credential& c) {
  std::lock_guard lock(_mutex);
  statement s(_db,
              "INSERT OR REPLACE INTO scram_credentials (user, mechanism, salt, stored_key, "
              "server_key, iterations, updated_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  s.bind(1, c.user)
      .bind(2, int64_t{c.mechanism})
      .bind(3, std::span<const std::byte>(c.salt))
      .bind(4, std::span<const std::byte>(c.stored_key))
      .bind(5, std::span<const std::byte>(c.server_key))
      .bind(6, c.iterations)
      .bind(7, wall_clock_ms());
  return s.run();
}

result<bool> credential_store::remove(std::string_view user, int8_t mechanism) {
  std::lock_guard lock(_mutex);
  statement s(_db, "DELETE FROM scram_credentials WHERE user = ?1 AND mechanism = ?2");
  s.bind(1, user).bind(2, int64_t{mechanism});
  if (auto st = s.run(); !st) {
    return st.error();
  }
  return _db.changes() > 0;
}

result<int> credential_store::remove_user(std::string_view user) {
  std::lock_guard lock(_mutex);
  statement s(_db, "DELETE FROM scram_credentials WHERE user = ?1");
  s.bind(1, user);
  if (auto st = s.run(); !st) {
    return st.error();
  }
  return static_cast<int>(_db.changes());
}

result<std::optional<stored_scram_credential>> credential_store::get(std::string_view user,
                                                                     int8_t mechanism) const {
  std::lock_guard lock(_mutex);
  statement s(_db, std::string("SELECT ") + columns +
                       " FROM scram_credentials WHERE user = ?1 AND mechanism = ?2");
  s.bind(1, user).bind(2, int64_t{mechanism});
  auto row = s.step();
  if (!row) {
    return row.error();
  }
  if (!*row) {
    return std::optional<stored_scram_credential>();
  }
  return std::optional<stored_scram_credential>(credential_of(s));
}

result<std::vector<std::byte>> credential_store::secret(std::string_view name,
                                                        std::span<const std::byte> candidate) {
  std::lock_guard lock(_mutex);
  // Read first: once the secret exists (every start but the first) opening writes nothing.
  statement get(_db, "SELECT value FROM server_secrets WHERE name = ?1");
  get.bind(1, name);
  auto row = get.step();
  if (!row) {
    return row.error();
  }
  if (*row) {
    return get.blob(0);
  }
  statement put(_db, "INSERT INTO server_secrets (name, value) VALUES (?1, ?2)");
  put.bind(1, name).bind(2, candidate);
  if (auto st = put.run(); !st) {
    return st.error();
  }
  return std::vector<std::byte>(candidate.begin(), candidate.end());
}

result<std::vector<stored_scram_credential>> credential_store::list() const {
  std::lock_guard lock(_mutex);
  statement s(
      _db, std::string("SELECT ") + columns + " FROM scram_credentials ORDER BY user, mechanism");
  std::vector<stored_scram_credential> out;
  auto st = s.each_row([&] { out.push_back(credential_of(s)); });
  if (!st) {
    return st.error();
  }
  return out;
}

}  // namespace brook::storage
