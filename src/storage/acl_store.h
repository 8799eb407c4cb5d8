// acl_store: the ACL bindings, in one SQLite database of its own, <data_dir>/acls.db
// (doc/formats/acls-db.md). A binding is stored with Kafka's codes as they are; what they
// mean and whether they are valid is security/'s business.
//
// Schema (version 1):
//   schema_version(version INTEGER)
//   acls(resource_type INTEGER, resource_name TEXT, pattern_type INTEGER, principal TEXT,
//        host TEXT, operation INTEGER, permission INTEGER, created_at_ms INTEGER,
//        PRIMARY KEY (resource_type, resource_name, pattern_type, principal, host,
//                     operation, permission))
//
// Durability: WAL journal with synchronous=FULL; each call is one transaction, durable
// before it returns. Thread-safe: one connection, one mutex.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "storage/sqlite/database.h"

namespace brook::storage {

struct stored_acl {
  int8_t resource_type = 0;
  std::string resource_name;
  int8_t pattern_type = 0;
  std::string principal;
  std::string host;
  int8_t operation = 0;
  int8_t permission = 0;
  bool operator==(const stored_acl&) const = default;
};

class acl_store {
 public:
  static constexpr std::string_view file_name = "acls.db";
  static constexpr int schema_version = 1;

  static result<std::unique_ptr<acl_store>> open(const std::filesystem::path& path);
  acl_store(const acl_store&) = delete;
  acl_store& operator=(const acl_store&) = delete;

  // Adds the bindings (one that exists already stays as it is), all or none.
  status add(const std::vector<stored_acl>& acls);
  // Removes the bindings, all or none.
  status remove(const std::vector<stored_acl>& acls);
  // Every binding.
  result<std::vector<stored_acl>> list() const;

 private:
  explicit acl_store(sqlite::database db);

  mutable std::mutex _mutex;
  mutable sqlite::database _db;  // guarded by _mutex
};

}  // namespace brook::storage
