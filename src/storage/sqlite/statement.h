// statement: one prepared SQLite statement, finalized on destruction.
//
//   statement s(db, "SELECT value FROM configs WHERE topic = ?1");
//   s.bind(1, topic);
//   if (auto st = s.each_row([&] { values.push_back(s.text(0)); }); !st) {
//     return st;
//   }
// or, row by row: s.step() is true while a row is ready, false once done.
//
// A failure to prepare or to bind is kept and returned by the next step() or run(), so
// binds chain without checks. A statement kept for reuse is prepared once (reuse::many)
// and reset() before each use. Parameters are numbered from 1, columns from 0.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "base/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace brook::storage::sqlite {

class database;

class statement {
 public:
  enum class reuse { once, many };

  statement(database& db, std::string_view sql, reuse r = reuse::once);
  statement(statement&& other) noexcept;
  statement& operator=(statement&& other) noexcept;
  ~statement();
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;

  // The error of preparing it, if any.
  status prepared() const;
  // Ready to run again, with no bindings.
  statement& reset();

  statement& bind(int i, std::string_view text);
  statement& bind(int i, const std::string& text);
  statement& bind(int i, const char* text);
  statement& bind(int i, const std::optional<std::string>& text);  // nullopt: NULL
  statement& bind(int i, std::span<const std::byte> blob);         // empty: a zero-length blob
  statement& bind(int i, int64_t v);
  statement& bind(int i, int32_t v);
  statement& bind(int i, double v);
  statement& bind(int i, std::nullopt_t);  // NULL

  // true: a row is ready; false: the statement is done.
  result<bool> step();
  // Runs a statement that returns no rows, and resets it (keeping its bindings).
  status run();
  // Steps through every row, calling `on_row()` for each; it reads the columns. An
  // `on_row` that returns a status stops the walk at its first error and returns it.
  template <typename F>
  status each_row(F&& on_row) {
    while (true) {
      auto row = step();
      if (!row) {
        return row.error();
      }
      if (!*row) {
        return {};
      }
      if constexpr (std::is_void_v<std::invoke_result_t<F&>>) {
        on_row();
      } else if (auto st = on_row(); !st) {
        return st;
      }
    }
  }

  bool is_null(int col) const;
  std::string text(int col) const;
  std::vector<std::byte> blob(int col) const;
  int64_t int64(int col) const;
  double real(int col) const;

 private:
  void keep(int rc);

  sqlite3* _db;
  sqlite3_stmt* _stmt = nullptr;
  int _prepare_rc = 0;
  int _rc = 0;  // the first failure since the last reset, or SQLITE_OK
};

}  // namespace brook::storage::sqlite
