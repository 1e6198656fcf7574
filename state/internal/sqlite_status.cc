#include "state/internal/sqlite_status.h"

#include <sqlite3.h>

namespace cdr::state::internal {

Status StatusFromSqlite(const SQLite::Exception& e, std::string_view what) {
  std::string message = std::string(what) + ": " + e.what();
  // Extended codes carry the primary code in the low byte.
  switch (e.getErrorCode() & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Unavailable(message + " (another cdr process is using the state file; retry)");
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return DataLoss(message + " (the state file is damaged or not a cdr state file)");
    default:
      return Internal(message);
  }
}

}  // namespace cdr::state::internal
