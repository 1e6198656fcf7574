// Per-file validation of [group.server.drill] and [group.server.failover]: the DR host each brings up in the
// DR zone from a recovery point. Checks against other servers and DR hosts live in cross_checks.h.
#pragma once

#include <toml++/toml.h>

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "specs/spec.h"

namespace cdr::specs::internal {

inline constexpr std::array<std::string_view, 3> kDiskTypes = {"sata", "sas", "ssd"};

class TableReader;

// `recovery_point` of the table `r` reads: a string, or a TOML date-time written without quotes
// (recovery_point = 2026-11-25T10:00:00Z). Absent: "latest", at the table header.
RecoveryPointChoice ParseRecoveryPoint(TableReader& r);

// `path` names the table in diagnostics ("group.web.server.web-1.drill"). *name_ok tells whether the DR host
// name passed the rules, so the duplicate checks leave out a name that is already reported.
DrillSpec ParseDrill(const toml::table& table, const std::string& file, std::string path, bool* name_ok,
                     std::vector<Diagnostic>* out);
FailoverSpec ParseFailover(const toml::table& table, const std::string& file, std::string path, bool* name_ok,
                           std::vector<Diagnostic>* out);

}  // namespace cdr::specs::internal
