// The state in a PostgreSQL database (libpq). Differences from the SQLite file, all inside this file:
// - `?`/`?N` parameters become `$N`, sent with their types (int8, float8, text) so the server never guesses;
// - a write transaction takes an advisory lock before BEGIN and gives it back after COMMIT/ROLLBACK, as BEGIN
//   IMMEDIATE takes SQLite's write lock;
// - the schema version is the one row of `cdr_schema`;
// - the session lock is a session-level advisory lock: held as long as the holder's connection lives, so the
//   server itself releases it when the holder is killed. Ending a hung holder's session is
//   pg_terminate_backend (the cdr role needs to be the same role or a member of pg_signal_backend).
// A connection that broke outside a transaction is reset once before the next statement; it has then lost
// its session lock, and the lock row tells who holds the state now.
#pragma once

#include <memory>
#include <string>

#include "state/internal/sql_connection.h"

namespace cdr::state::internal {

Result<std::unique_ptr<SqlConnection>> OpenPgConnection(const std::string& url);

// "SELECT ?1 || ?" → "SELECT $1 || $2": SQLite's parameter forms in PostgreSQL's; quoted text is left alone.
std::string ToPgParameters(std::string_view sql);

}  // namespace cdr::state::internal
