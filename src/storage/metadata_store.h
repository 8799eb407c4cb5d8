// metadata_store: the broker's metadata (topics, their ids, partition counts and config
// overrides) in one SQLite database, <data_dir>/metadata.db.
//
// Durability: WAL journal with synchronous=FULL, so every change is in the fdatasynced
// write-ahead log before its call returns; it survives a process kill and a power loss
// (given a disk that honours fdatasync). Each call is one transaction.
//
// Schema (version 1), upgraded in place by numbered migrations on open:
//   schema_version(version INTEGER)                        one row: the applied version
//   topics(name TEXT PRIMARY KEY, topic_id BLOB(16) UNIQUE, partition_count INTEGER,
//          created_at_ms INTEGER)
//   topic_configs(topic TEXT -> topics.name, key TEXT, value TEXT, PRIMARY KEY(topic, key))
// The file is opened by storage/sqlite/ (database.h) with the checks every store gets: a
// file that is not a SQLite database or is corrupt is refused (sqlite::errc::not_a_database),
// so is another program's or another store's database, such as a groups.db put in its place
// (foreign_database), and one written by a newer Brook (newer_schema). A refused file is
// left unchanged. Database failures are sqlite::errc or system errors.
//
// Thread-safe: one connection, one mutex. Topic names and config values are stored as
// given; validating them (protocol/topic_name.h, topic_config.h) is the caller's job.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "base/result.h"
#include "storage/sqlite/database.h"

namespace brook::storage {

enum class metadata_errc {
  topic_exists = 1,  // create_topic: the name is taken
  topic_id_exists,   // create_topic: another topic has this id
  unknown_topic,     // no topic of that name
  invalid_argument,  // a partition count below 1
};

const std::error_category& metadata_category();
std::error_code make_error_code(metadata_errc e);

using topic_id = std::array<uint8_t, 16>;

struct topic_metadata {
  std::string name;
  topic_id id{};
  int32_t partitions = 0;
  int64_t created_at_ms = 0;
  std::map<std::string, std::string> configs;  // the topic's overrides only
};

class metadata_store {
 public:
  // The file name inside the data directory.
  static constexpr std::string_view file_name = "metadata.db";
  // The schema version this build writes.
  static constexpr int schema_version = 1;

  // Opens (creating if missing) the database at `path` (normally data_dir / file_name) and
  // brings its schema up to date. The parent directory must exist.
  static result<std::unique_ptr<metadata_store>> open(const std::filesystem::path& path);
  metadata_store(const metadata_store&) = delete;
  metadata_store& operator=(const metadata_store&) = delete;

  // topic_exists / topic_id_exists when taken; invalid_argument for partitions < 1.
  status create_topic(const std::string& name, const topic_id& id, int32_t partitions,
                      const std::map<std::string, std::string>& configs);
  // Removes the topic and its configs; unknown_topic if absent.
  status delete_topic(const std::string& name);
  // Sets the partition count (>= 1). Whether it may shrink is the caller's policy.
  status set_partition_count(const std::string& name, int32_t partitions);
  // Replaces the topic's whole set of overrides with `configs` (empty: all defaults).
  status set_topic_configs(const std::string& name,
                           const std::map<std::string, std::string>& configs);

  // Every topic, by name.
  result<std::vector<topic_metadata>> list_topics() const;
  result<topic_metadata> get_topic(const std::string& name) const;

 private:
  explicit metadata_store(sqlite::database db);

  mutable std::mutex _mutex;
  mutable sqlite::database _db;  // guarded by _mutex
};

}  // namespace brook::storage

template <>
struct std::is_error_code_enum<brook::storage::metadata_errc> : std::true_type {};
