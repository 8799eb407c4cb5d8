// credential_store: the SCRAM credentials of users, in one SQLite database of its own,
// <data_dir>/credentials.db (doc/formats/credentials-db.md). Only what RFC 5802 lets a
// server keep is stored: the salt, StoredKey, ServerKey and the iteration count; never a
// password, nor anything a client could log in with.
//
// Schema (version 2), upgraded in place by numbered migrations on open:
//   schema_version(version INTEGER)                        one row: the applied version
//   scram_credentials(user TEXT, mechanism INTEGER, salt BLOB, stored_key BLOB,
//                     server_key BLOB, iterations INTEGER, updated_at_ms INTEGER,
//                     PRIMARY KEY (user, mechanism))
//   server_secrets(name TEXT PRIMARY KEY, value BLOB)      (2) keys the server keeps
// `mechanism` is Kafka's ScramMechanism code (1: SCRAM-SHA-256, 2: SCRAM-SHA-512).
//
// Durability: WAL journal with synchronous=FULL; each call is one transaction, durable
// before it returns. Opened through sqlite::database, which refuses a damaged or foreign
// file unchanged (doc/formats/sqlite.md).
//
// Thread-safe: one connection, one mutex. Names and keys are stored as given; validating
// them is security/'s job.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "storage/sqlite/database.h"

namespace brook::storage {

struct stored_scram_credential {
  std::string user;
  int8_t mechanism = 0;
  std::vector<std::byte> salt;
  std::vector<std::byte> stored_key;
  std::vector<std::byte> server_key;
  int32_t iterations = 0;
};

class credential_store {
 public:
  static constexpr std::string_view file_name = "credentials.db";
  static constexpr int schema_version = 2;

  static result<std::unique_ptr<credential_store>> open(const std::filesystem::path& path);
  credential_store(const credential_store&) = delete;
  credential_store& operator=(const credential_store&) = delete;

  // Inserts or replaces the user's credential of c.mechanism.
  status put(const stored_scram_credential& c);
  // Removes the user's credential of `mechanism`; false when there was none.
  result<bool> remove(std::string_view user, int8_t mechanism);
  // Removes every credential of the user; how many there were.
  result<int> remove_user(std::string_view user);
  // The user's credential of `mechanism`, if any.
  result<std::optional<stored_scram_credential>> get(std::string_view user, int8_t mechanism) const;
  // Every credential, ordered by user and mechanism.
  result<std::vector<stored_scram_credential>> list() const;
  // The secret named `name`: the one stored, or `candidate`, stored (durably) first.
  result<std::vector<std::byte>> secret(std::string_view name,
                                        std::span<const std::byte> candidate);

 private:
  explicit credential_store(sqlite::database db);

  mutable std::mutex _mutex;
  mutable sqlite::database _db;  // guarded by _mutex
};

}  // namespace brook::storage
