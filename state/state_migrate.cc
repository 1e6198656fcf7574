#include "state/state_migrate.h"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <vector>

#include "state/internal/sql_connection.h"
#include "state/internal/sql_status.h"
#include "state/state_location.h"
#include "state/state_store.h"

namespace cdr::state {
namespace {

using internal::SqlConnection;
using internal::SqlTransaction;
using internal::SqlValue;
using internal::TransactionMode;

enum class ColumnType { kInteger, kReal, kText };

struct Column {
  const char* name;
  ColumnType type;
};

struct Table {
  const char* name;
  const char* order_by;
  std::vector<Column> columns;
  bool has_id_sequence;
};

constexpr ColumnType I = ColumnType::kInteger;
constexpr ColumnType R = ColumnType::kReal;
constexpr ColumnType T = ColumnType::kText;

// Parents before children (jobs before job_events); the schema of internal/migrations.cc, lock left out.
const std::vector<Table>& Tables() {
  static const std::vector<Table> kTables = {
      {"meta", "key", {{"key", T}, {"value", I}}, false},
      {"resources",
       "address",
       {{"address", T}, {"kind", T}, {"provider_id", T}, {"status", T}, {"attributes", T}, {"created_at", I},
        {"updated_at", I}},
       false},
      {"jobs",
       "id",
       {{"id", I}, {"address", T}, {"operation", T}, {"status", T}, {"progress", I}, {"started_at", I},
        {"finished_at", I}, {"error", T}},
       true},
      {"job_events",
       "id",
       {{"id", I}, {"job_id", I}, {"time", I}, {"from_state", T}, {"to_state", T}, {"message", T}},
       true},
      {"applies",
       "id",
       {{"id", I}, {"applied_at", I}, {"serial", I}, {"git_commit", T}, {"source", T}, {"plan_digest", T},
        {"operator", T}, {"changes", I}, {"failed", I}, {"rollback", I}, {"finished_at", I}},
       true},
      {"rpo_samples",
       "server, time",
       {{"server", T}, {"time", I}, {"rpo", R}, {"live", I}, {"health", T}},
       false},
  };
  return kTables;
}

std::string ColumnList(const Table& t) {
  std::string out;
  for (const Column& c : t.columns) out += (out.empty() ? "" : ", ") + std::string(c.name);
  return out;
}

// A server database returns text: each value is read back as the type the schema declares.
SqlValue Typed(const SqlValue& v, ColumnType type) {
  if (v.is_null()) return v;
  switch (type) {
    case ColumnType::kInteger:
      return v.Int64();
    case ColumnType::kReal:
      return v.Double();
    case ColumnType::kText:
      break;
  }
  return v.Text();
}

std::string Render(const SqlValue& v, ColumnType type) {
  if (v.is_null()) return "null";
  switch (type) {
    case ColumnType::kInteger:
      return std::to_string(v.Int64());
    case ColumnType::kReal: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", v.Double());
      return buf;
    }
    case ColumnType::kText:
      break;
  }
  return nlohmann::json(v.Text()).dump();
}

std::vector<internal::SqlRow> ReadTable(SqlConnection& db, const Table& t) {
  return db.Query("SELECT " + ColumnList(t) + " FROM " + t.name + " ORDER BY " + t.order_by).rows;
}

std::string Dump(SqlConnection& db) {
  std::string out;
  for (const Table& t : Tables()) {
    out += std::string("# ") + t.name + "\n";
    for (const internal::SqlRow& row : ReadTable(db, t)) {
      for (size_t i = 0; i < t.columns.size(); ++i) {
        out += (i ? "|" : "") + Render(row.values.at(i), t.columns[i].type);
      }
      out += "\n";
    }
  }
  return out;
}

// What makes a destination "not empty": anything but the serial-0 row a fresh state starts with.
std::string Contents(SqlConnection& db) {
  std::string out;
  for (const Table& t : Tables()) {
    if (std::string(t.name) == "meta") continue;
    int64_t n = db.Query(std::string("SELECT count(*) FROM ") + t.name).rows.at(0).Int64(0);
    if (n > 0) out += (out.empty() ? "" : ", ") + std::to_string(n) + " " + t.name;
  }
  int64_t serial = db.Query("SELECT value FROM meta WHERE key = 'serial'").rows.at(0).Int64(0);
  if (serial > 0) out += (out.empty() ? "" : ", ") + std::string("serial ") + std::to_string(serial);
  return out;
}

Status Copy(SqlConnection& from, SqlConnection& to, const std::string& to_shown, const MigrateOptions& options,
            MigrateReport& report) {
  SqlTransaction write(to, TransactionMode::kWrite);
  if (std::string found = Contents(to); !found.empty()) {
    if (!options.replace_existing) {
      return FailedPrecondition("destination " + to_shown + " is not empty (" + found +
                                "); migrate into an empty state, or pass --force to replace its contents");
    }
    spdlog::warn("state: replacing the contents of {} ({})", to_shown, found);
  }
  // Children first, so no foreign key points at a deleted row.
  for (auto t = Tables().rbegin(); t != Tables().rend(); ++t) to.Query(std::string("DELETE FROM ") + t->name);
  for (const Table& t : Tables()) {
    std::string placeholders;
    for (size_t i = 0; i < t.columns.size(); ++i) placeholders += i ? ", ?" : "?";
    const std::string insert =
        std::string("INSERT INTO ") + t.name + " (" + ColumnList(t) + ") VALUES (" + placeholders + ")";
    int64_t n = 0;
    for (const internal::SqlRow& row : ReadTable(from, t)) {
      std::vector<SqlValue> values;
      for (size_t i = 0; i < t.columns.size(); ++i) values.push_back(Typed(row.values.at(i), t.columns[i].type));
      to.Query(insert, values);
      ++n;
    }
    if (t.has_id_sequence) to.ResyncIdSequence(t.name);
    report.rows[t.name] = n;
  }
  write.Commit();
  return Status::Ok();
}

}  // namespace

Result<MigrateReport> MigrateState(const std::string& from, const std::string& to, const MigrateOptions& options) {
  const std::string from_shown = RedactedLocation(from);
  const std::string to_shown = RedactedLocation(to);
  if (from == to) return InvalidArgument("cannot migrate " + from_shown + " onto itself");
  // Opened as stores first: both are checked and migrated to the same schema version.
  for (const std::string& location : {from, to}) {
    auto store = StateStore::Open(location);
    if (!store.ok()) return store.status();
  }
  auto source = internal::OpenSqlConnection(from);
  if (!source.ok()) return source.status();
  auto dest = internal::OpenSqlConnection(to);
  if (!dest.ok()) return dest.status();
  return internal::CatchSql("migrate " + from_shown + " to " + to_shown, [&]() -> Result<MigrateReport> {
    // One snapshot of the source for the copy and for the check after it.
    SqlTransaction snapshot(**source, TransactionMode::kRead);
    MigrateReport report;
    CDR_RETURN_IF_ERROR(Copy(**source, **dest, to_shown, options, report));
    report.serial = (*dest)->Query("SELECT value FROM meta WHERE key = 'serial'").rows.at(0).Int64(0);
    if (Dump(**source) != Dump(**dest)) {
      return DataLoss("the copy in " + to_shown + " differs from " + from_shown +
                      " after the migration; do not use it (compare `cdr state list` of both)");
    }
    snapshot.Commit();
    spdlog::info("state: migrated {} to {} (serial {})", from_shown, to_shown, report.serial);
    return report;
  });
}

Result<std::string> DumpState(const std::string& location) {
  auto store = StateStore::Open(location);
  if (!store.ok()) return store.status();
  auto db = internal::OpenSqlConnection(location);
  if (!db.ok()) return db.status();
  return internal::CatchSql("dump " + RedactedLocation(location), [&]() -> Result<std::string> {
    SqlTransaction snapshot(**db, TransactionMode::kRead);
    return Dump(**db);
  });
}

}  // namespace cdr::state
