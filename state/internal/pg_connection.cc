#include "state/internal/pg_connection.h"

#include <libpq-fe.h>
#include <spdlog/spdlog.h>

#include <cctype>
#include <cstdio>

namespace cdr::state::internal {
namespace {

// Advisory lock keys of the state, one estate per database. Below 2^31 so pg_locks shows them in `objid`
// with `classid` 0.
constexpr int64_t kWriteLockKey = 0x63647201;    // "cdr" 1: write transactions, one at a time 
constexpr int64_t kSessionLockKey = 0x63647202;  // "cdr" 2: the state lock's holder

// Type OIDs of pg_type: the parameters' types, so `length(?1)` or `?2 || …` are never ambiguous.
constexpr Oid kInt8Oid = 20;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kTextOid = 25;

// As long as SQLite's busy timeout: a write transaction waits this long for another one.
constexpr const char* kSessionSettings =
    "SET lock_timeout = '10s'; SET client_min_messages = warning; SET application_name = 'cdr'";

SqlErrorKind KindOf(const char* sqlstate) {
  const std::string state = sqlstate ? sqlstate : "";
  // 40001 serialization failure, 40P01 deadlock, 55P03 lock not available, 57014 statement timeout.
  if (state == "40001" || state == "40P01" || state == "55P03" || state == "57014") return SqlErrorKind::kBusy;
  // 08: connection exceptions; 57P01..57P03: the server is shutting down or ended this session.
  if (state.starts_with("08") || state.starts_with("57P")) return SqlErrorKind::kConnection;
  return SqlErrorKind::kOther;
}

std::string TrimmedError(PGconn* conn) {
  std::string m = PQerrorMessage(conn);
  while (!m.empty() && std::isspace(static_cast<unsigned char>(m.back()))) m.pop_back();
  return m;
}

void QuietNotices(void*, const char* message) { spdlog::debug("postgres: {}", message); }

class PgResult {
 public:
  explicit PgResult(PGresult* r) : r_(r) {}
  ~PgResult() { PQclear(r_); }
  PgResult(const PgResult&) = delete;
  PgResult& operator=(const PgResult&) = delete;
  PGresult* get() const { return r_; }

 private:
  PGresult* r_;
};

class PgConnection final : public SqlConnection {
 public:
  PgConnection(PGconn* conn, std::string redacted) : conn_(conn), redacted_(std::move(redacted)) {}
  ~PgConnection() override { PQfinish(conn_); }

  StateBackend backend() const override { return StateBackend::kPostgres; }

  SqlResult Query(std::string_view sql, const std::vector<SqlValue>& params) override {
    const std::string text = ToPgParameters(sql);
    std::vector<Oid> types;
    std::vector<std::string> values;
    std::vector<const char*> pointers;
    types.reserve(params.size());
    values.reserve(params.size());
    for (const SqlValue& p : params) {
      switch (p.get().index()) {
        case 0:
          types.push_back(0);
          break;
        case 1:
          types.push_back(kInt8Oid);
          break;
        case 2:
          types.push_back(kFloat8Oid);
          break;
        default:
          types.push_back(kTextOid);
      }
      values.push_back(p.get().index() == 2 ? Float8Text(p.Double()) : p.Text());
    }
    for (size_t i = 0; i < params.size(); ++i) pointers.push_back(params[i].is_null() ? nullptr : values[i].c_str());
    PgResult r(Run([&] {
      return PQexecParams(conn_, text.c_str(), static_cast<int>(params.size()), types.data(), pointers.data(),
                          nullptr, nullptr, 0);
    }));
    Check(r);
    SqlResult out;
    const int rows = PQntuples(r.get());
    const int columns = PQnfields(r.get());
    for (int i = 0; i < rows; ++i) {
      SqlRow row;
      for (int c = 0; c < columns; ++c) {
        row.values.push_back(PQgetisnull(r.get(), i, c) ? SqlValue() : SqlValue(std::string(PQgetvalue(r.get(), i, c))));
      }
      out.rows.push_back(std::move(row));
    }
    const char* affected = PQcmdTuples(r.get());
    out.affected = affected && *affected ? std::strtoll(affected, nullptr, 10) : 0;
    return out;
  }

  void ExecScript(std::string_view sql) override {
    const std::string text(sql);
    PgResult r(Run([&] { return PQexec(conn_, text.c_str()); }));
    Check(r);
  }

  void Begin(TransactionMode mode) override {
    // Write transactions of every cdr follow one another, as SQLite's BEGIN IMMEDIATE makes them. The lock is
    // taken before BEGIN, not inside the transaction: a transaction that starts after the previous writer
    // committed sees its catalog changes too (a migration's new tables), which one that waited inside may not.
    if (mode == TransactionMode::kWrite) {
      Query("SELECT pg_advisory_lock(?)", {kWriteLockKey});
      write_locked_ = true;
    }
    try {
      // A read sees one snapshot throughout, as a SQLite read transaction does.
      ExecScript(mode == TransactionMode::kRead ? "BEGIN ISOLATION LEVEL REPEATABLE READ" : "BEGIN");
    } catch (...) {
      UnlockWrites();
      throw;
    }
    in_transaction_ = true;
  }
  void Commit() override {
    in_transaction_ = false;
    try {
      ExecScript("COMMIT");
    } catch (...) {
      UnlockWrites();
      throw;
    }
    UnlockWrites();
  }
  void Rollback() override {
    in_transaction_ = false;
    if (PQstatus(conn_) == CONNECTION_OK) ExecScript("ROLLBACK");
    UnlockWrites();
  }

  int SchemaVersion() override {
    SqlResult exists = Query("SELECT to_regclass('cdr_schema') IS NOT NULL", {});
    if (exists.rows.at(0).Text(0) != "t") return 0;
    SqlResult v = Query("SELECT version FROM cdr_schema", {});
    return v.rows.empty() ? 0 : v.rows[0].Int(0);
  }
  void SetSchemaVersion(int version) override {
    ExecScript("CREATE TABLE IF NOT EXISTS cdr_schema (version INTEGER NOT NULL)");
    Query("DELETE FROM cdr_schema", {});
    Query("INSERT INTO cdr_schema (version) VALUES (?)", {version});
  }

  void PrepareForWrites() override {}

  SessionLock TrySessionLock() override {
    if (session_lock_held_) return SessionLock::kAlreadyOurs;
    SqlResult r = Query("SELECT pg_try_advisory_lock(?)", {kSessionLockKey});
    session_lock_held_ = r.rows.at(0).Text(0) == "t";
    return session_lock_held_ ? SessionLock::kTaken : SessionLock::kHeldElsewhere;
  }

  void ReleaseSessionLock() override {
    if (!session_lock_held_) return;
    session_lock_held_ = false;
    Query("SELECT pg_advisory_unlock(?)", {kSessionLockKey});
  }

  bool EndSessionLockHolder() override {
    // pg_terminate_backend(pid, timeout) waits until the session has exited, and with it its locks.
    SqlResult r = Query(
        "SELECT pid, pg_terminate_backend(pid, 5000) FROM pg_locks WHERE locktype = 'advisory' AND granted "
        "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
        "AND classid = 0 AND objid::bigint = ? AND objsubid = 1 AND pid <> pg_backend_pid()",
        {kSessionLockKey});
    bool ended = true;
    for (const SqlRow& row : r.rows) {
      const bool gone = row.Text(1) == "t";
      spdlog::warn("state: {} the database session (backend pid {}) that held the state lock",
                   gone ? "ended" : "could not end", row.Text(0));
      ended = ended && gone;
    }
    return ended;
  }

  void ResyncIdSequence(const std::string& table) override {
    Query("SELECT setval(pg_get_serial_sequence(?1, 'id'), coalesce((SELECT max(id) FROM " + table +
              "), 0) + 1, false)",
          {table});
  }

 private:
  void UnlockWrites() {
    if (!write_locked_) return;
    write_locked_ = false;
    // A broken session has lost the lock already.
    if (PQstatus(conn_) == CONNECTION_OK) {
      const std::string unlock = "SELECT pg_advisory_unlock(" + std::to_string(kWriteLockKey) + ")";
      PQclear(PQexec(conn_, unlock.c_str()));
    }
  }

  // Shortest text that reads back as the same double: PostgreSQL parses it exactly.
  static std::string Float8Text(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
  }

  void EnsureConnected() {
    if (PQstatus(conn_) == CONNECTION_OK) return;
    // Inside a transaction a reset would silently drop what was written before: that transaction failed.
    if (in_transaction_) throw SqlError(SqlErrorKind::kConnection, "the connection to " + redacted_ + " broke");
    session_lock_held_ = false;
    write_locked_ = false;
    PQreset(conn_);
    if (PQstatus(conn_) != CONNECTION_OK) {
      throw SqlError(SqlErrorKind::kConnection, "cannot reconnect to " + redacted_ + ": " + TrimmedError(conn_));
    }
    spdlog::warn("state: reconnected to {}", redacted_);
    ExecScript(kSessionSettings);
  }

  static bool Succeeded(PGresult* r) {
    ExecStatusType status = PQresultStatus(r);
    return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
  }

  // Sends a statement; when the session turns out to have been ended (a server restart, a terminated backend)
  // and no transaction was open, it reconnects and sends it once more: the statement never reached a live
  // session.
  template <typename Send>
  PGresult* Run(Send send) {
    EnsureConnected();
    PGresult* r = send();
    if (!Succeeded(r) && PQstatus(conn_) == CONNECTION_BAD && !in_transaction_) {
      PQclear(r);
      EnsureConnected();
      r = send();
    }
    return r;
  }

  void Check(const PgResult& r) {
    if (Succeeded(r.get())) return;
    const char* sqlstate = r.get() ? PQresultErrorField(r.get(), PG_DIAG_SQLSTATE) : nullptr;
    SqlErrorKind kind = PQstatus(conn_) == CONNECTION_OK ? KindOf(sqlstate) : SqlErrorKind::kConnection;
    throw SqlError(kind, TrimmedError(conn_) + (sqlstate ? std::string(" (SQLSTATE ") + sqlstate + ")" : ""));
  }

  PGconn* conn_;
  const std::string redacted_;
  bool in_transaction_ = false;
  bool session_lock_held_ = false;
  bool write_locked_ = false;
};

}  // namespace

std::string ToPgParameters(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 8);
  int next = 0;
  bool quoted = false;
  for (size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (c == '\'') quoted = !quoted;
    if (c != '?' || quoted) {
      out += c;
      continue;
    }
    out += '$';
    if (i + 1 < sql.size() && std::isdigit(static_cast<unsigned char>(sql[i + 1]))) continue;  // ?N → $N
    out += std::to_string(++next);
  }
  return out;
}

Result<std::unique_ptr<SqlConnection>> OpenPgConnection(const std::string& url) {
  const std::string redacted = RedactedLocation(url);
  PGconn* conn = PQconnectdb(url.c_str());
  if (conn == nullptr) return Unavailable("cannot connect to " + redacted + ": out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string error = TrimmedError(conn);
    PQfinish(conn);
    return Unavailable("cannot connect to the state database " + redacted + ": " + error);
  }
  PQsetNoticeProcessor(conn, QuietNotices, nullptr);
  auto out = std::make_unique<PgConnection>(conn, redacted);
  try {
    out->ExecScript(kSessionSettings);
  } catch (const SqlError& e) {
    return Unavailable("cannot set up the session on " + redacted + ": " + e.what());
  }
  return std::unique_ptr<SqlConnection>(std::move(out));
}

}  // namespace cdr::state::internal
