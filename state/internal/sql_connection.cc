#include "state/internal/sql_connection.h"

#include <spdlog/spdlog.h>

#include <charconv>
#include <cstdlib>

#include "state/internal/pg_connection.h"
#include "state/internal/serialized_connection.h"
#include "state/internal/sqlite_connection.h"

namespace cdr::state::internal {

std::string SqlValue::Text() const {
  switch (v_.index()) {
    case 1:
      return std::to_string(std::get<int64_t>(v_));
    case 2:
      return std::to_string(std::get<double>(v_));
    case 3:
      return std::get<std::string>(v_);
  }
  return "";
}

int64_t SqlValue::Int64() const {
  switch (v_.index()) {
    case 1:
      return std::get<int64_t>(v_);
    case 2:
      return static_cast<int64_t>(std::get<double>(v_));
    case 3: {
      // A server database hands every value over as text.
      const std::string& s = std::get<std::string>(v_);
      int64_t out = 0;
      std::from_chars(s.data(), s.data() + s.size(), out);
      return out;
    }
  }
  return 0;
}

double SqlValue::Double() const {
  switch (v_.index()) {
    case 1:
      return static_cast<double>(std::get<int64_t>(v_));
    case 2:
      return std::get<double>(v_);
    case 3:
      return std::strtod(std::get<std::string>(v_).c_str(), nullptr);
  }
  return 0;
}

SqlTransaction::~SqlTransaction() {
  if (done_) return;
  try {
    conn_.Rollback();
  } catch (const std::exception& e) {
    // The connection is broken; the server (or SQLite) drops the transaction with it.
    spdlog::warn("state: rollback failed: {}", e.what());
  }
}

namespace {

Result<std::unique_ptr<SqlConnection>> OpenBackend(const std::string& location) {
  switch (BackendOf(location)) {
    case StateBackend::kPostgres:
      return OpenPgConnection(location);
    case StateBackend::kSqlite:
      break;
  }
  return OpenSqliteConnection(location);
}

}  // namespace

Result<std::unique_ptr<SqlConnection>> OpenSqlConnection(const std::string& location) {
  auto conn = OpenBackend(location);
  if (!conn.ok()) return conn.status();
  // A parallel apply's steps share the store's one connection.
  return SerializedConnection(std::move(conn).value());
}

}  // namespace cdr::state::internal
