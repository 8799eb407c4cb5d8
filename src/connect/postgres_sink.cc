#include "connect/postgres_sink.h"

#include <fmt/format.h>
#include <libpq-fe.h>

#include "base/text.h"

namespace brook::connect {

namespace {

constexpr const char* offsets_table = "__brook_connect_offsets";

// `name` as a quoted SQL identifier ("a""b").
std::string sql_identifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') {
      out.push_back('"');
    }
    out.push_back(c);
  }
  return out + "\"";
}

std::string pg_error(pg_conn* conn) {
  std::string e = PQerrorMessage(conn);
  while (!e.empty() && (e.back() == '\n' || e.back() == ' ')) {
    e.pop_back();
  }
  return e;
}

// A result, freed at the end of the scope.
struct result_guard {
  explicit result_guard(PGresult* result) : r(result) {}
  PGresult* r;
  ~result_guard() { PQclear(r); }
  result_guard(const result_guard&) = delete;
  result_guard& operator=(const result_guard&) = delete;
};

sink_result<void> run_params(pg_conn* conn, const std::string& sql,
                             const std::vector<std::optional<std::string>>& params,
                             PGresult** keep = nullptr) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) {
    values.push_back(p ? p->c_str() : nullptr);
  }
  PGresult* r = PQexecParams(conn, sql.c_str(), static_cast<int>(values.size()), nullptr,
                             values.data(), nullptr, nullptr, 0);
  const auto st = PQresultStatus(r);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    std::string e = PQresultErrorMessage(r);
    PQclear(r);
    while (!e.empty() && (e.back() == '\n' || e.back() == ' ')) {
      e.pop_back();
    }
    return unexpected(sink_error{fmt::format("PostgreSQL: {}", e.empty() ? pg_error(conn) : e)});
  }
  if (keep != nullptr) {
    *keep = r;
  } else {
    PQclear(r);
  }
  return {};
}

// Statements sent without waiting for each one's answer (libpq's pipeline mode, PostgreSQL
// 14+ clients, any server with the extended protocol): one round trip per `chunk`
// statements instead of one per row. A chunk's answers (a few dozen bytes each) stay well
// inside the socket buffers, so in blocking mode neither side waits on the other.
class pg_pipeline {
 public:
  static constexpr int chunk = 1000;

  explicit pg_pipeline(pg_conn* conn) : _conn(conn) {}
  ~pg_pipeline() {
    if (_entered) {
      (void)drain();
      (void)PQexitPipelineMode(_conn);
    }
  }
  pg_pipeline(const pg_pipeline&) = delete;
  pg_pipeline& operator=(const pg_pipeline&) = delete;

  sink_result<void> enter() {
    if (PQenterPipelineMode(_conn) != 1) {
      return unexpected(sink_error{"PostgreSQL: " + pg_error(_conn)});
    }
    _entered = true;
    return {};
  }

  sink_result<void> send(const std::string& sql,
                         const std::vector<std::optional<std::string>>& params) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) {
      values.push_back(p ? p->c_str() : nullptr);
    }
    if (PQsendQueryParams(_conn, sql.c_str(), static_cast<int>(values.size()), nullptr,
                          values.data(), nullptr, nullptr, 0) != 1) {
      return unexpected(sink_error{"PostgreSQL: " + pg_error(_conn)});
    }
    if (++_sent >= chunk) {
      return drain();
    }
    return {};
  }

  // Syncs and reads every answer sent for: the first statement's error, if any (those
  // after it are skipped by the server).
  sink_result<void> drain() {
    if (_sent == 0) {
      return {};
    }
    const int sent = std::exchange(_sent, 0);
    if (PQpipelineSync(_conn) != 1) {
      return unexpected(sink_error{"PostgreSQL: " + pg_error(_conn)});
    }
    std::string error;
    // Each statement's results end with a null; then comes the sync's. More nulls than
    // statements: the connection is gone.
    for (int nulls = 0;;) {
      PGresult* r = PQgetResult(_conn);
      if (r == nullptr) {
        if (++nulls > sent) {
          return unexpected(sink_error{"PostgreSQL: " + pg_error(_conn)});
        }
        continue;
      }
      result_guard guard(r);
      const auto st = PQresultStatus(r);
      if (st == PGRES_PIPELINE_SYNC) {
        break;
      }
      if (st == PGRES_FATAL_ERROR && error.empty()) {
        error = PQresultErrorMessage(r);
        while (!error.empty() && (error.back() == '\n' || error.back() == ' ')) {
          error.pop_back();
        }
        if (error.empty()) {
          error = pg_error(_conn);
        }
      }
    }
    if (!error.empty()) {
      return unexpected(sink_error{"PostgreSQL: " + error});
    }
    return {};
  }

  sink_result<void> exit() {
    auto drained = drain();
    _entered = false;
    if (PQexitPipelineMode(_conn) != 1 && drained) {
      return unexpected(sink_error{"PostgreSQL: " + pg_error(_conn)});
    }
    return drained;
  }

 private:
  pg_conn* _conn;
  bool _entered = false;
  int _sent = 0;
};

std::string sql_type(char kind, const std::optional<std::string>& text) {
  switch (kind) {
    case 'n':
      return text && text->find_first_of(".eE") != std::string::npos ? "double precision"
                                                                     : "bigint";
    case 'b':
      return "boolean";
    case 'j':
      return "jsonb";
    default:
      return "text";
  }
}

}  // namespace

postgres_sink_options postgres_sink_options::from(connector_config& config,
                                                  const std::string& connector) {
  postgres_sink_options o;
  o.connector = connector;
  o.url = config.required("connection.url");
  if (o.url.starts_with("jdbc:")) {
    o.url = o.url.substr(5);
  }
  if (!o.url.empty() && !o.url.starts_with("postgresql://") && !o.url.starts_with("postgres://")) {
    config.add_error(fmt::format(
        "Invalid value {} for configuration connection.url: a postgresql:// URL", o.url));
  }
  o.user = config.string("connection.user");
  o.password = config.string("connection.password");
  o.table_format = config.string("table.name.format", "${topic}");
  o.upsert = config.choice("insert.mode", "insert", {"insert", "upsert"}) == "upsert";
  const auto pk = config.choice("pk.mode", "none", {"none", "kafka", "record_key", "record_value"});
  o.pk = pk == "kafka"          ? pk_mode::kafka
         : pk == "record_key"   ? pk_mode::record_key
         : pk == "record_value" ? pk_mode::record_value
                                : pk_mode::none;
  o.pk_fields = config.list("pk.fields");
  if (o.pk == pk_mode::kafka) {
    if (o.pk_fields.empty()) {
      o.pk_fields = {"__connect_topic", "__connect_partition", "__connect_offset"};
    } else if (o.pk_fields.size() != 3) {
      config.add_error(
          "pk.fields for pk.mode kafka names the three columns of topic, "
          "partition and offset");
    }
  }
  if (o.pk == pk_mode::record_key && o.pk_fields.empty()) {
    o.pk_fields = {"__connect_key"};
  }
  if (o.pk == pk_mode::record_value && o.pk_fields.empty()) {
    config.add_error("pk.mode record_value needs pk.fields");
  }
  if (o.upsert && o.pk == pk_mode::none) {
    config.add_error("insert.mode upsert needs a pk.mode other than none");
  }
  o.auto_create = config.boolean("auto.create", false);
  o.jsonb = config.choice("value.mode", "columns", {"columns", "jsonb"}) == "jsonb";
  o.value_column = config.string("value.column", "value");
  o.batch_size = config.integer("batch.size", 3000, 1, 1'000'000);
  return o;
}

sink_result<std::unique_ptr<postgres_sink>> postgres_sink::open(postgres_sink_options options) {
  std::unique_ptr<postgres_sink> s(new postgres_sink(std::move(options)));
  std::vector<const char*> keys{"dbname", "connect_timeout", "application_name"};
  std::vector<const char*> values{s->_options.url.c_str(), "10", "brook-connect"};
  if (!s->_options.user.empty()) {
    keys.push_back("user");
    values.push_back(s->_options.user.c_str());
  }
  if (!s->_options.password.empty()) {
    keys.push_back("password");
    values.push_back(s->_options.password.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  s->_conn = PQconnectdbParams(keys.data(), values.data(), 1);
  if (PQstatus(s->_conn) != CONNECTION_OK) {
    return unexpected(
        sink_error{fmt::format("cannot connect to PostgreSQL: {}", pg_error(s->_conn))});
  }
  auto made = s->exec(
      fmt::format("CREATE TABLE IF NOT EXISTS {} (connector text NOT NULL, topic text NOT NULL, "
                  "\"partition\" integer NOT NULL, next_offset bigint NOT NULL, "
                  "PRIMARY KEY (connector, topic, \"partition\"))",
                  offsets_table));
  if (!made) {
    return unexpected(made.error());
  }
  PGresult* r = nullptr;
  if (auto read = run_params(s->_conn,
                             fmt::format("SELECT topic, \"partition\", next_offset FROM {} "
                                         "WHERE connector = $1",
                                         offsets_table),
                             {s->_options.connector}, &r);
      !read) {
    return unexpected(read.error());
  }
  result_guard guard{r};
  for (int i = 0; i < PQntuples(r); ++i) {
    topic_partition tp{PQgetvalue(r, i, 0), std::stoi(PQgetvalue(r, i, 1))};
    s->_durable[tp] = std::stoll(PQgetvalue(r, i, 2));
  }
  s->_next = s->_durable;
  return s;
}

postgres_sink::~postgres_sink() {
  if (_conn != nullptr) {
    PQfinish(_conn);
  }
}

sink_result<void> postgres_sink::exec(const std::string& sql) {
  return run_params(_conn, sql, {});
}

sink_result<std::optional<int64_t>> postgres_sink::resume_offset(const topic_partition& tp) {
  auto it = _durable.find(tp);
  return it == _durable.end() ? std::optional<int64_t>{} : std::optional<int64_t>(it->second);
}

bool postgres_sink::make_row(const consumed_record& r, row& out, std::string& why) {
  out = row{};
  out.table = _options.table_format;
  for (size_t at = out.table.find("${topic}"); at != std::string::npos;
       at = out.table.find("${topic}", at + r.topic.size())) {
    out.table.replace(at, 8, r.topic);
  }
  auto add = [&out](std::string name, std::optional<std::string> text, char kind) {
    out.columns.emplace_back(std::move(name), std::move(text));
    out.kinds.push_back(kind);
  };
  if (!r.value) {
    why = "the record has no value (null)";
    return false;
  }
  if (!_json.load(*r.value)) {
    why = "the value is " + _json.why();
    return false;
  }
  if (_options.jsonb) {
    add(_options.value_column, _json.compact(), 'j');
  } else {
    if (!_json.is_object()) {
      why = "the value is not a JSON object (value.mode columns)";
      return false;
    }
    for (auto& f : _json.top_level_fields()) {
      add(std::move(f.name), std::move(f.text), f.kind);
    }
  }
  using pk = postgres_sink_options::pk_mode;
  if (_options.pk == pk::kafka) {
    add(_options.pk_fields[0], r.topic, 's');
    add(_options.pk_fields[1], std::to_string(r.partition), 'n');
    add(_options.pk_fields[2], std::to_string(r.offset), 'n');
  } else if (_options.pk == pk::record_value) {
    for (const auto& f : _options.pk_fields) {
      auto it = std::find_if(out.columns.begin(), out.columns.end(),
                             [&f](const auto& c) { return c.first == f && c.second; });
      if (it == out.columns.end()) {
        why = fmt::format("the value has no {} (pk.fields)", f);
        return false;
      }
    }
  } else if (_options.pk == pk::record_key) {
    if (!r.key) {
      why = "the record has no key (pk.mode record_key)";
      return false;
    }
    json_fields key;
    if (key.load(*r.key) && key.is_object()) {
      for (const auto& f : _options.pk_fields) {
        auto v = key.text(f);
        if (!v) {
          why = fmt::format("the key has no {} (pk.fields)", f);
          return false;
        }
        add(f, v, 's');
      }
    } else {
      add(_options.pk_fields[0], *r.key, 's');
    }
  }
  return true;
}

sink_result<void> postgres_sink::ensure_table(const row& r) {
  if (_tables_checked.contains(r.table)) {
    return {};
  }
  PGresult* found = nullptr;
  if (auto st = run_params(_conn, "SELECT to_regclass($1) IS NOT NULL", {sql_identifier(r.table)},
                           &found);
      !st) {
    return st;
  }
  result_guard guard{found};
  const bool exists = PQntuples(found) == 1 && std::string_view(PQgetvalue(found, 0, 0)) == "t";
  if (!exists) {
    if (!_options.auto_create) {
      return unexpected(sink_error{fmt::format(
          "PostgreSQL: table {} does not exist (set auto.create to create it)", r.table)});
    }
    std::string columns;
    for (size_t i = 0; i < r.columns.size(); ++i) {
      const bool key = std::find(_options.pk_fields.begin(), _options.pk_fields.end(),
                                 r.columns[i].first) != _options.pk_fields.end() &&
                       _options.pk != postgres_sink_options::pk_mode::none;
      columns += fmt::format("{}{} {}{}", i == 0 ? "" : ", ", sql_identifier(r.columns[i].first),
                             sql_type(r.kinds[i], r.columns[i].second), key ? " NOT NULL" : "");
    }
    if (_options.pk != postgres_sink_options::pk_mode::none) {
      std::string keys;
      for (const auto& f : _options.pk_fields) {
        keys += (keys.empty() ? "" : ", ") + sql_identifier(f);
      }
      columns += ", PRIMARY KEY (" + keys + ")";
    }
    if (auto st = exec(
            fmt::format("CREATE TABLE IF NOT EXISTS {} ({})", sql_identifier(r.table), columns));
        !st) {
      return st;
    }
  }
  _tables_checked.insert(r.table);
  return {};
}

sink_result<std::vector<rejected_record>> postgres_sink::put(
    std::span<const consumed_record> records) {
  std::vector<rejected_record> rejected;
  std::string why;
  for (size_t i = 0; i < records.size(); ++i) {
    const auto& r = records[i];
    topic_partition tp{r.topic, r.partition};
    if (auto it = _next.find(tp); it != _next.end() && r.offset < it->second) {
      continue;  // in the database already (a replay)
    }
    row out;
    if (!make_row(r, out, why)) {
      rejected.push_back({i, why});
    } else {
      _rows.push_back(std::move(out));
    }
    _next[tp] = r.offset + 1;
  }
  if (static_cast<int64_t>(_rows.size()) >= _options.batch_size && rejected.empty()) {
    if (auto st = write_batch(); !st) {
      return unexpected(st.error());
    }
  }
  return rejected;
}

sink_result<void> postgres_sink::write_batch() {
  if (_rows.empty() && _next == _durable) {
    return {};
  }
  for (const auto& r : _rows) {
    if (auto st = ensure_table(r); !st) {
      return st;
    }
  }
  if (auto st = exec("BEGIN"); !st) {
    return st;
  }
  auto fail = [this](sink_error e) -> sink_result<void> {
    (void)exec("ROLLBACK");
    return unexpected(std::move(e));
  };
  // The rows, then the offsets they reach, in the one transaction.
  auto send_batch = [this](pg_pipeline& pipeline) -> sink_result<void> {
    for (const auto& r : _rows) {
      std::string names;
      std::string placeholders;
      std::vector<std::optional<std::string>> params;
      for (size_t i = 0; i < r.columns.size(); ++i) {
        names += (i == 0 ? "" : ", ") + sql_identifier(r.columns[i].first);
        placeholders += fmt::format("{}${}", i == 0 ? "" : ", ", i + 1);
        params.push_back(r.columns[i].second);
      }
      std::string sql = fmt::format("INSERT INTO {} ({}) VALUES ({})", sql_identifier(r.table),
                                    names, placeholders);
      if (_options.upsert) {
        std::string keys;
        for (const auto& f : _options.pk_fields) {
          keys += (keys.empty() ? "" : ", ") + sql_identifier(f);
        }
        std::string updates;
        for (const auto& [name, value] : r.columns) {
          if (std::find(_options.pk_fields.begin(), _options.pk_fields.end(), name) ==
              _options.pk_fields.end()) {
            updates += (updates.empty() ? "" : ", ") + sql_identifier(name) + " = EXCLUDED." +
                       sql_identifier(name);
          }
        }
        sql += updates.empty() ? fmt::format(" ON CONFLICT ({}) DO NOTHING", keys)
                               : fmt::format(" ON CONFLICT ({}) DO UPDATE SET {}", keys, updates);
      }
      if (auto st = pipeline.send(sql, params); !st) {
        return st;
      }
    }
    for (const auto& [tp, next] : _next) {
      if (auto it = _durable.find(tp); it != _durable.end() && it->second == next) {
        continue;
      }
      auto st = pipeline.send(
          fmt::format("INSERT INTO {} VALUES ($1, $2, $3, $4) ON CONFLICT "
                      "(connector, topic, \"partition\") DO UPDATE SET "
                      "next_offset = EXCLUDED.next_offset",
                      offsets_table),
          {_options.connector, tp.topic, std::to_string(tp.partition), std::to_string(next)});
      if (!st) {
        return st;
      }
    }
    return {};
  };
  {
    pg_pipeline pipeline(_conn);
    if (auto st = pipeline.enter(); !st) {
      return fail(st.error());
    }
    if (auto st = send_batch(pipeline); !st) {
      (void)pipeline.exit();
      return fail(st.error());
    }
    if (auto st = pipeline.exit(); !st) {
      return fail(st.error());
    }
  }
  if (auto st = exec("COMMIT"); !st) {
    return st;
  }
  _rows.clear();
  _durable = _next;
  return {};
}

sink_result<std::map<topic_partition, int64_t>> postgres_sink::flush() {
  if (auto st = write_batch(); !st) {
    return unexpected(st.error());
  }
  return _durable;
}

}  // namespace brook::connect
