// A real PostgreSQL server for the tests that run the state store on PostgreSQL, and a fresh database per test.
//
// Under ctest one server serves the whole run: the `postgres_server` fixture (tests/support/postgres_fixture.sh,
// CMakeLists.txt) starts it before the first test that needs it, stops it after the last, and names its socket
// directory in CDR_TEST_POSTGRES_DIR. A test binary run by hand starts its own server on first use — `initdb` and
// `postgres` in a temp dir, listening only on a Unix socket there — and a gtest Environment stops it by pid when
// the binary ends (the server also gets SIGQUIT if the binary dies first). As root (CI) both run as the
// `postgres` user: initdb and postgres refuse root.
#pragma once

#include <string>

namespace cdr::testing {

// A libpq URL of a new, empty database on the shared server; "" (with the reason in *error) when no server
// could be started. Each call makes another database.
std::string NewPostgresDatabase(std::string* error);

// Drops a database made by NewPostgresDatabase, ending its sessions first. Best effort.
void DropPostgresDatabase(const std::string& url);

}  // namespace cdr::testing
