// postgres_sink: records into PostgreSQL tables with libpq, exactly once, configured as
// the Confluent JDBC sink connector is (connection.url, insert.mode, pk.mode, pk.fields,
// auto.create, table.name.format).
//
// Rows: value.mode columns (the default) makes each top-level field of a record's JSON
// object a column; value.mode jsonb puts the whole value in one jsonb column (value.column,
// "value"), for schemaless records. pk.mode kafka adds __connect_topic, __connect_partition
// and __connect_offset (the key); record_value takes pk.fields from the value, record_key
// from the record's key (a JSON object, or any key as the one field pk.fields names).
// insert.mode upsert writes INSERT ... ON CONFLICT (key) DO UPDATE.
//
// Exactly once: each batch is one transaction that also writes the partitions' next
// offsets into the table __brook_connect_offsets (connector, topic, partition,
// next_offset); the sink resumes from there, so a batch is in the tables with its offsets
// or not at all.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "connect/connector_config.h"
#include "connect/json_fields.h"
#include "connect/sink.h"

struct pg_conn;

namespace brook::connect {

struct postgres_sink_options {
  enum class pk_mode { none, kafka, record_key, record_value };

  std::string connector;
  std::string url;  // a libpq URI (postgresql://...); jdbc:postgresql:// is accepted
  std::string user;
  std::string password;
  std::string table_format = "${topic}";
  bool upsert = false;
  pk_mode pk = pk_mode::none;
  std::vector<std::string> pk_fields;
  bool auto_create = false;
  bool jsonb = false;  // value.mode jsonb
  std::string value_column = "value";
  int64_t batch_size = 3000;

  static postgres_sink_options from(connector_config& config, const std::string& connector);
};

class postgres_sink final : public sink {
 public:
  // Connects, creates the offsets table if need be and reads this connector's offsets.
  static sink_result<std::unique_ptr<postgres_sink>> open(postgres_sink_options options);
  ~postgres_sink() override;
  postgres_sink(const postgres_sink&) = delete;
  postgres_sink& operator=(const postgres_sink&) = delete;

  sink_result<std::optional<int64_t>> resume_offset(const topic_partition& tp) override;
  sink_result<std::vector<rejected_record>> put(std::span<const consumed_record> records) override;
  sink_result<std::map<topic_partition, int64_t>> flush() override;

 private:
  struct row {
    std::string table;
    std::vector<std::pair<std::string, std::optional<std::string>>> columns;  // name, text
    std::vector<char> kinds;  // per column: 'n' number, 'b' boolean, 's' string, 'j' JSON
  };

  explicit postgres_sink(postgres_sink_options options) : _options(std::move(options)) {}

  sink_result<void> exec(const std::string& sql);
  sink_result<void> write_batch();
  sink_result<void> ensure_table(const row& r);
  // The row of `r`, or why not.
  bool make_row(const consumed_record& r, row& out, std::string& why);

  postgres_sink_options _options;
  pg_conn* _conn = nullptr;
  std::map<topic_partition, int64_t> _next;     // after the records taken
  std::map<topic_partition, int64_t> _durable;  // in the database
  std::vector<row> _rows;                       // taken, not yet written
  std::set<std::string> _tables_checked;
  json_fields _json;
};

}  // namespace brook::connect
