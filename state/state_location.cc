#include "state/state_location.h"

#include <regex>

namespace cdr::state {

const char* StateBackendName(StateBackend backend) {
  switch (backend) {
    case StateBackend::kSqlite:
      return "sqlite";
    case StateBackend::kPostgres:
      return "postgres";
  }
  return "unknown";
}

StateBackend BackendOf(const std::string& location) {
  // The two URI prefixes libpq accepts; anything else is a file path, as it always was.
  if (location.starts_with("postgres://") || location.starts_with("postgresql://")) return StateBackend::kPostgres;
  return StateBackend::kSqlite;
}

std::string RedactedLocation(const std::string& location) {
  if (BackendOf(location) != StateBackend::kPostgres) return location;
  static const std::regex kUserInfoPassword(R"(^(postgres(ql)?://[^:/@?]*):[^@/?]*@)");
  static const std::regex kPasswordParameter(R"(([?&]password=)[^&]*)");
  std::string out = std::regex_replace(location, kUserInfoPassword, "$1:***@");
  return std::regex_replace(out, kPasswordParameter, "$1***");
}

}  // namespace cdr::state
