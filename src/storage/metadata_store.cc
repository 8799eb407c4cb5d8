#include "storage/metadata_store.h"

#include <cstring>
#include <span>

#include "base/clock.h"
#include "storage/sqlite/statement.h"
#include "storage/sqlite/transaction.h"

namespace brook::storage {
namespace {

using sqlite::statement;
using sqlite::transaction;

class category : public std::error_category {
 public:
  const char* name() const noexcept override { return "metadata"; }
  std::string message(int e) const override {
    switch (static_cast<metadata_errc>(e)) {
      case metadata_errc::topic_exists:
        return "topic already exists";
      case metadata_errc::topic_id_exists:
        return "another topic has this topic id";
      case metadata_errc::unknown_topic:
        return "unknown topic";
      case metadata_errc::invalid_argument:
        return "invalid argument: a topic needs at least one partition";
    }
    return "metadata error";
  }
};

// Migration n (1-based) takes the schema from version n - 1 to n (sqlite/schema.h). Append
// only: never edit a migration that has shipped.
const char* const migrations[] = {
    // 1: topics and their config overrides.
    "CREATE TABLE topics ("
    "  name TEXT PRIMARY KEY NOT NULL,"
    "  topic_id BLOB NOT NULL UNIQUE CHECK (length(topic_id) = 16),"
    "  partition_count INTEGER NOT NULL CHECK (partition_count >= 1),"
    "  created_at_ms INTEGER NOT NULL);"
    "CREATE TABLE topic_configs ("
    "  topic TEXT NOT NULL REFERENCES topics (name) ON DELETE CASCADE,"
    "  key TEXT NOT NULL,"
    "  value TEXT NOT NULL,"
    "  PRIMARY KEY (topic, key));",
};
static_assert(std::size(migrations) == metadata_store::schema_version);

std::span<const std::byte> bytes_of(const topic_id& id) {
  return std::as_bytes(std::span(id));
}

// The topic of a row (name, topic_id, partition_count, created_at_ms), without its configs.
// A topic id that is not 16 bytes is damage: not_a_database.
result<topic_metadata> topic_of(const statement& s) {
  auto blob = s.blob(1);
  topic_metadata out{s.text(0), {}, static_cast<int32_t>(s.int64(2)), s.int64(3), {}};
  if (blob.size() != out.id.size()) {
    return sqlite::errc::not_a_database;
  }
  std::memcpy(out.id.data(), blob.data(), out.id.size());
  return out;
}

status insert_configs(sqlite::database& db, const std::string& name,
                      const std::map<std::string, std::string>& configs) {
  statement s(db, "INSERT INTO topic_configs (topic, key, value) VALUES (?1, ?2, ?3)");
  for (const auto& [key, value] : configs) {
    s.reset().bind(1, name).bind(2, key).bind(3, value);
    if (auto st = s.run(); !st) {
      return st;
    }
  }
  return {};
}

// Whether a row matches; for existence checks.
template <typename Key>
result<bool> exists(sqlite::database& db, const char* sql, const Key& key) {
  statement s(db, sql);
  s.bind(1, key);
  return s.step();
}

}  // namespace

const std::error_category& metadata_category() {
  static const category c;
  return c;
}
std::error_code make_error_code(metadata_errc e) {
  return {static_cast<int>(e), metadata_category()};
}

metadata_store::metadata_store(sqlite::database db) : _db(std::move(db)) {}

result<std::unique_ptr<metadata_store>> metadata_store::open(const std::filesystem::path& path) {
  auto db = sqlite::database::open(path, sqlite::schema{migrations}, sqlite::synchronous::full);
  if (!db) {
    return db.error();
  }
  return std::unique_ptr<metadata_store>(new metadata_store(std::move(db).value()));
}

status metadata_store::create_topic(const std::string& name, const topic_id& id, int32_t partitions,
                                    const std::map<std::string, std::string>& configs) {
  if (partitions < 1) {
    return metadata_errc::invalid_argument;
  }
  std::lock_guard lock(_mutex);
  auto tx = transaction::begin(_db, transaction::kind::write);
  if (!tx) {
    return tx.error();
  }
  auto by_name = exists(_db, "SELECT 1 FROM topics WHERE name = ?1", name);
  if (!by_name) {
    return by_name.error();
  }
  if (*by_name) {
    return metadata_errc::topic_exists;
  }
  auto by_id = exists(_db, "SELECT 1 FROM topics WHERE topic_id = ?1", bytes_of(id));
  if (!by_id) {
    return by_id.error();
  }
  if (*by_id) {
    return metadata_errc::topic_id_exists;
  }
  statement s(_db,
              "INSERT INTO topics (name, topic_id, partition_count, created_at_ms) "
              "VALUES (?1, ?2, ?3, ?4)");
  s.bind(1, name).bind(2, bytes_of(id)).bind(3, partitions).bind(4, wall_clock_ms());
  if (auto st = s.run(); !st) {
    return st;
  }
  if (auto st = insert_configs(_db, name, configs); !st) {
    return st;
  }
  return tx->commit();
}

status metadata_store::delete_topic(const std::string& name) {
  std::lock_guard lock(_mutex);
  auto tx = transaction::begin(_db, transaction::kind::write);
  if (!tx) {
    return tx.error();
  }
  statement configs(_db, "DELETE FROM topic_configs WHERE topic = ?1");
  configs.bind(1, name);
  if (auto st = configs.run(); !st) {
    return st;
  }
  statement topic(_db, "DELETE FROM topics WHERE name = ?1");
  topic.bind(1, name);
  if (auto st = topic.run(); !st) {
    return st;
  }
  if (_db.changes() == 0) {
    return metadata_errc::unknown_topic;
  }
  return tx->commit();
}

status metadata_store::set_partition_count(const std::string& name, int32_t partitions) {
  if (partitions < 1) {
    return metadata_errc::invalid_argument;
  }
  std::lock_guard lock(_mutex);
  auto tx = transaction::begin(_db, transaction::kind::write);
  if (!tx) {
    return tx.error();
  }
  statement s(_db, "UPDATE topics SET partition_count = ?1 WHERE name = ?2");
  s.bind(1, partitions).bind(2, name);
  if (auto st = s.run(); !st) {
    return st;
  }
  if (_db.changes() == 0) {
    return metadata_errc::unknown_topic;
  }
  return tx->commit();
}

status metadata_store::set_topic_configs(const std::string& name,
                                         const std::map<std::string, std::string>& configs) {
  std::lock_guard lock(_mutex);
  auto tx = transaction::begin(_db, transaction::kind::write);
  if (!tx) {
    return tx.error();
  }
  auto found = exists(_db, "SELECT 1 FROM topics WHERE name = ?1", name);
  if (!found) {
    return found.error();
  }
  if (!*found) {
    return metadata_errc::unknown_topic;
  }
  statement clear(_db, "DELETE FROM topic_configs WHERE topic = ?1");
  clear.bind(1, name);
  if (auto st = clear.run(); !st) {
    return st;
  }
  if (auto st = insert_configs(_db, name, configs); !st) {
    return st;
  }
  return tx->commit();
}

result<std::vector<topic_metadata>> metadata_store::list_topics() const {
  std::lock_guard lock(_mutex);
  auto tx = transaction::begin(_db, transaction::kind::read);  // one snapshot for both queries
  if (!tx) {
    return tx.error();
  }
  std::vector<topic_metadata> out;
  std::map<std::string, size_t> index;
  statement topics(_db,
                   "SELECT name, topic_id, partition_count, created_at_ms FROM topics "
                   "ORDER BY name");
  auto read_topics = topics.each_row([&]() -> status {
    auto topic = topic_of(topics);
    if (!topic) {
      return topic.error();
    }
    index[topic->name] = out.size();
    out.push_back(std::move(topic).value());
    return {};
  });
  if (!read_topics) {
    return read_topics.error();
  }
  statement configs(_db, "SELECT topic, key, value FROM topic_configs");
  auto read_configs = configs.each_row([&] {
    if (auto it = index.find(configs.text(0)); it != index.end()) {
      out[it->second].configs[configs.text(1)] = configs.text(2);
    }
  });
  if (!read_configs) {
    return read_configs.error();
  }
  if (auto st = tx->commit(); !st) {
    return st.error();
  }
  return out;
}

result<topic_metadata> metadata_store::get_topic(const std::string& name) const {
  std::lock_guard lock(_mutex);
  auto tx = transaction::begin(_db, transaction::kind::read);
  if (!tx) {
    return tx.error();
  }
  statement topic(_db,
                  "SELECT name, topic_id, partition_count, created_at_ms FROM topics "
                  "WHERE name = ?1");
  topic.bind(1, name);
  auto row = topic.step();
  if (!row) {
    return row.error();
  }
  if (!*row) {
    return metadata_errc::unknown_topic;
  }
  auto out = topic_of(topic);
  if (!out) {
    return out.error();
  }
  statement configs(_db, "SELECT key, value FROM topic_configs WHERE topic = ?1");
  configs.bind(1, name);
  auto read_configs = configs.each_row([&] { out->configs[configs.text(0)] = configs.text(1); });
  if (!read_configs) {
    return read_configs.error();
  }
  if (auto st = tx->commit(); !st) {
    return st.error();
  }
  return out;
}

}  // namespace brook::storage
