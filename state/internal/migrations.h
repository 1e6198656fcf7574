// Schema migrations of the state file. The schema version is SQLite's `PRAGMA user_version`; the steps live
// in code, in order, and are never edited once released: a change to the schema is a new step at the end.
#pragma once

#include "common/status.h"

namespace SQLite {
class Database;
}

namespace cdr::state::internal {

// The version the last step produces: what this build of cdr understands.
int LatestSchemaVersion();

int ReadSchemaVersion(SQLite::Database& db);

// Applies every missing step, each in its own IMMEDIATE transaction so that a crash leaves the file at a
// whole version and two processes opening a fresh file do not both migrate it. Throws SQLite::Exception.
void ApplyMigrations(SQLite::Database& db);

}  // namespace cdr::state::internal
