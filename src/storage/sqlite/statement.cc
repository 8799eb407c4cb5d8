#include "storage/sqlite/statement.h"

#include <sqlite3.h>

#include <utility>

#include "storage/sqlite/database.h"
#include "storage/sqlite/errc.h"

namespace brook::storage::sqlite {

statement::statement(database& db, std::string_view sql, reuse r) : _db(db._db) {
  _prepare_rc =
      sqlite3_prepare_v3(_db, sql.data(), static_cast<int>(sql.size()),
                         r == reuse::many ? SQLITE_PREPARE_PERSISTENT : 0, &_stmt, nullptr);
  _rc = _prepare_rc;
}

statement::statement(statement&& other) noexcept
    : _db(other._db),
      _stmt(std::exchange(other._stmt, nullptr)),
      _prepare_rc(other._prepare_rc),
      _rc(other._rc) {}

statement& statement::operator=(statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(_stmt);
    _db = other._db;
    _stmt = std::exchange(other._stmt, nullptr);
    _prepare_rc = other._prepare_rc;
    _rc = other._rc;
  }
  return *this;
}

statement::~statement() {
  sqlite3_finalize(_stmt);
}

status statement::prepared() const {
  if (_prepare_rc != SQLITE_OK) {
    return error_from(_db, _prepare_rc, "prepare");
  }
  return {};
}

statement& statement::reset() {
  sqlite3_reset(_stmt);
  sqlite3_clear_bindings(_stmt);
  _rc = _prepare_rc;
  return *this;
}

statement& statement::bind(int i, std::string_view text) {
  // A null pointer would bind NULL; an empty string_view may have one.
  keep(sqlite3_bind_text(_stmt, i, text.empty() ? "" : text.data(), static_cast<int>(text.size()),
                         SQLITE_TRANSIENT));
  return *this;
}

statement& statement::bind(int i, const std::string& text) {
  return bind(i, std::string_view(text));
}

statement& statement::bind(int i, const char* text) {
  return bind(i, std::string_view(text));
}

statement& statement::bind(int i, const std::optional<std::string>& text) {
  if (!text) {
    return bind(i, std::nullopt);
  }
  return bind(i, std::string_view(*text));
}

statement& statement::bind(int i, std::span<const std::byte> blob) {
  // A zero-length blob, not NULL: sqlite3_bind_blob binds NULL for a null pointer.
  keep(blob.empty() ? sqlite3_bind_zeroblob(_stmt, i, 0)
                    : sqlite3_bind_blob(_stmt, i, blob.data(), static_cast<int>(blob.size()),
                                        SQLITE_TRANSIENT));
  return *this;
}

statement& statement::bind(int i, int64_t v) {
  keep(sqlite3_bind_int64(_stmt, i, v));
  return *this;
}

statement& statement::bind(int i, int32_t v) {
  return bind(i, int64_t{v});
}

statement& statement::bind(int i, double v) {
  keep(sqlite3_bind_double(_stmt, i, v));
  return *this;
}

statement& statement::bind(int i, std::nullopt_t) {
  keep(sqlite3_bind_null(_stmt, i));
  return *this;
}

result<bool> statement::step() {
  if (_rc != SQLITE_OK) {
    return error_from(_db, _rc, _prepare_rc != SQLITE_OK ? "prepare" : "bind");
  }
  int rc = sqlite3_step(_stmt);
  if (rc == SQLITE_ROW) {
    return true;
  }
  if (rc == SQLITE_DONE) {
    return false;
  }
  return error_from(_db, rc, "step");
}

status statement::run() {
  auto r = step();
  sqlite3_reset(_stmt);
  if (!r) {
    return r.error();
  }
  return {};
}

bool statement::is_null(int col) const {
  return sqlite3_column_type(_stmt, col) == SQLITE_NULL;
}

std::string statement::text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(_stmt, col));
  return p != nullptr ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(_stmt, col)))
                      : std::string();
}

std::vector<std::byte> statement::blob(int col) const {
  const auto* p = static_cast<const std::byte*>(sqlite3_column_blob(_stmt, col));
  auto n = static_cast<size_t>(sqlite3_column_bytes(_stmt, col));
  return p != nullptr ? std::vector<std::byte>(p, p + n) : std::vector<std::byte>();
}

int64_t statement::int64(int col) const {
  return sqlite3_column_int64(_stmt, col);
}

double statement::real(int col) const {
  return sqlite3_column_double(_stmt, col);
}

void statement::keep(int rc) {
  if (_rc == SQLITE_OK && rc != SQLITE_OK) {
    _rc = rc;
  }
}

}  // namespace brook::storage::sqlite
