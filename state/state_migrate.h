// `cdr state migrate`: copies an estate from one state location to another (SQLite file ⇄ PostgreSQL
// database) without loss — resources, serial, jobs and their events, apply history, RPO samples, with their ids.
// The lock is not copied: it belongs to processes of the source. The copy is read in one snapshot of the
// source and written in one transaction of the destination, then verified by comparing canonical dumps of both.
// `cdr state backup`/`restore` of a PostgreSQL state are the same copy to and from a SQLite file.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "common/status.h"

namespace cdr::state {

struct MigrateOptions {
  // Without it a destination holding anything (a resource, a job, an apply, a sample, a serial above 0) is
  // refused; with it its contents are replaced.
  bool replace_existing = false;
};

struct MigrateReport {
  int64_t serial = 0;
  std::map<std::string, int64_t> rows;  // table → rows copied
};

Result<MigrateReport> MigrateState(const std::string& from, const std::string& to, const MigrateOptions& options);

// Every copied table, row by row in key order, values rendered by their declared type: equal dumps mean equal
// estates whichever backend holds them.
Result<std::string> DumpState(const std::string& location);

}  // namespace cdr::state
