// The state in one SQLite file (SQLiteCpp): WAL, synchronous FULL, the schema version in `PRAGMA
// user_version`, BEGIN IMMEDIATE for write transactions. The file is checked (quick_check) when it is opened.
#pragma once

#include <SQLiteCpp/Exception.h>

#include <memory>
#include <string>

#include "state/internal/sql_connection.h"

namespace cdr::state::internal {

Result<std::unique_ptr<SqlConnection>> OpenSqliteConnection(const std::string& path);

// What a SQLite error means to the caller (busy, corrupt, other).
SqlError SqlErrorFromSqlite(const SQLite::Exception& e);

// Runs `fn`, which uses SQLiteCpp directly (backup, restore), turning its exceptions into SqlError.
template <typename Fn>
auto SqliteTranslated(Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const SQLite::Exception& e) {
    throw SqlErrorFromSqlite(e);
  }
}

}  // namespace cdr::state::internal
