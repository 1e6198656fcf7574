// Where a state lives: a SQLite file (the default, `.cdr/state.db`) or a PostgreSQL database named by a
// libpq URL (`postgres://…` or `postgresql://…`). One home for the parsing, so every program and message reads
// a location the same way and never prints a password.
#pragma once

#include <string>

namespace cdr::state {

enum class StateBackend { kSqlite, kPostgres };
const char* StateBackendName(StateBackend backend);  // "sqlite" | "postgres"

StateBackend BackendOf(const std::string& location);

// The location fit for logs and messages: a URL's password (`user:secret@`, `password=secret`) is replaced by
// `***`. A file path is returned as it is.
std::string RedactedLocation(const std::string& location);

}  // namespace cdr::state
