// Schema migrations of the state. The steps live in code, in order, once per backend with the same versions and
// the same tables (SQLite and PostgreSQL differ only in column types), and are never edited once released: a
// change to the schema is a new step at the end of both lists. The version is stored by the connection
// (SQLite's `PRAGMA user_version`, PostgreSQL's `cdr_schema` table).
#pragma once

#include <string>

#include "state/internal/sql_connection.h"

namespace cdr::state::internal {

// The version the last step produces: what this build of cdr understands.
int LatestSchemaVersion();

// Applies every missing step, each in its own write transaction so that a crash leaves the state at a whole
// version and two processes opening a fresh state do not both migrate it. Throws SqlError.
void ApplyMigrations(SqlConnection& conn, const std::string& location_for_log);

}  // namespace cdr::state::internal
