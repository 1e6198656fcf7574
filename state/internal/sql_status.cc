#include "state/internal/sql_status.h"

namespace cdr::state::internal {

Status StatusFromSql(const SqlError& e, std::string_view what) {
  std::string message = std::string(what) + ": " + e.what();
  switch (e.kind()) {
    case SqlErrorKind::kBusy:
      return Unavailable(message + " (another cdr process is using the state; retry)");
    case SqlErrorKind::kConnection:
      return Unavailable(message + " (the state database cannot be reached; retry)");
    case SqlErrorKind::kCorrupt:
      return DataLoss(message + " (the state file is damaged or not a cdr state file)");
    case SqlErrorKind::kOther:
      break;
  }
  return Internal(message);
}

}  // namespace cdr::state::internal
