// The one seam between the state store and its database. Every state file (resources, jobs, lock, history,
// rpo samples, migrations) is written once against this interface with portable SQL (`?`/`?N` parameters,
// `ON CONFLICT`, `RETURNING`); SQLite and PostgreSQL each implement it in a file of their own
// (sqlite_connection.cc, pg_connection.cc) and differ only where the databases do: transactions that take the
// write lock up front, the schema version, and the session lock that dies with a killed holder.
//
//   StateStore ──► SerializedConnection ──► SqlConnection ──┬─► SqliteConnection (SQLiteCpp, one file, WAL)
//                  (one mutex, threads)                     └─► PgConnection     (libpq, one database, advisory locks)
//
// Errors are thrown as SqlError and turned into Status by sql_status.h at the store's public boundary.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/status.h"
#include "state/state_location.h"

namespace cdr::state::internal {

// A parameter or a column value. Integers stay integers and reals stay reals: a text round trip would lose
// digits of an RPO sample.
class SqlValue {
 public:
  SqlValue() = default;  // NULL
  SqlValue(int64_t v) : v_(v) {}  // NOLINT: implicit by design, like a bind
  SqlValue(int v) : v_(int64_t{v}) {}  // NOLINT
  SqlValue(bool v) : v_(int64_t{v ? 1 : 0}) {}  // NOLINT
  SqlValue(double v) : v_(v) {}  // NOLINT
  SqlValue(std::string v) : v_(std::move(v)) {}  // NOLINT
  SqlValue(const char* v) : v_(std::string(v)) {}  // NOLINT

  bool is_null() const { return v_.index() == 0; }
  const std::variant<std::monostate, int64_t, double, std::string>& get() const { return v_; }
  std::string Text() const;
  int64_t Int64() const;
  double Double() const;

 private:
  std::variant<std::monostate, int64_t, double, std::string> v_;
};

struct SqlRow {
  std::vector<SqlValue> values;
  std::string Text(size_t i) const { return values.at(i).Text(); }
  int64_t Int64(size_t i) const { return values.at(i).Int64(); }
  int Int(size_t i) const { return static_cast<int>(values.at(i).Int64()); }
  double Double(size_t i) const { return values.at(i).Double(); }
};

struct SqlResult {
  std::vector<SqlRow> rows;
  int64_t affected = 0;  // rows an INSERT/UPDATE/DELETE changed
};

// What the caller should make of a failure (sql_status.cc maps it to a StatusCode).
enum class SqlErrorKind {
  kBusy,        // another process holds a lock: retry
  kCorrupt,     // the file is damaged or not a state
  kConnection,  // the server cannot be reached or the session was ended
  kOther,
};

class SqlError : public std::runtime_error {
 public:
  SqlError(SqlErrorKind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
  SqlErrorKind kind() const { return kind_; }

 private:
  SqlErrorKind kind_;
};

enum class TransactionMode {
  kRead,   // a consistent read
  kWrite,  // takes the database's write lock at BEGIN, so a check and the write after it cannot interleave
};

// The state lock's second half on a server database: a lock owned by this connection's session, released by
// the server when the session ends (a holder killed with -9 loses it at once).
enum class SessionLock {
  kUnsupported,    // SQLite: only the lock row exists
  kTaken,          // newly taken by this session
  kAlreadyOurs,    // this session took it earlier and still has it
  kHeldElsewhere,  // another live session has it
};

class SqlConnection {
 public:
  virtual ~SqlConnection() = default;

  virtual StateBackend backend() const = 0;
  // One statement; `?` and `?N` are its parameters. Throws SqlError.
  virtual SqlResult Query(std::string_view sql, const std::vector<SqlValue>& params = {}) = 0;
  // Several statements without parameters (a migration step).
  virtual void ExecScript(std::string_view sql) = 0;

  virtual void Begin(TransactionMode mode) = 0;
  virtual void Commit() = 0;
  virtual void Rollback() = 0;

  // 0 for a database no cdr has written yet.
  virtual int SchemaVersion() = 0;
  virtual void SetSchemaVersion(int version) = 0;  // inside a write transaction

  // Called once the schema version is known to be one this cdr understands: an older cdr must not touch a
  // newer file, not even its journal mode.
  virtual void PrepareForWrites() = 0;

  virtual SessionLock TrySessionLock() = 0;
  virtual void ReleaseSessionLock() = 0;
  // Ends the session that holds the session lock (a hung holder whose lease expired, or one an operator
  // force-unlocked) and waits, bounded, until it is gone. False when it could not be ended.
  virtual bool EndSessionLockHolder() = 0;

  // After rows were copied in with their ids: the next generated id follows the largest copied one.
  virtual void ResyncIdSequence(const std::string& table) = 0;
};

// Opens (and for SQLite creates) the database at `location`. kDataLoss for a damaged SQLite file,
// kUnavailable for a server that cannot be reached; never names a password. The connection is safe to share
// between threads (serialized_connection.h).
Result<std::unique_ptr<SqlConnection>> OpenSqlConnection(const std::string& location);

// Ends a transaction that was not committed: an early return or an exception rolls it back.
class SqlTransaction {
 public:
  SqlTransaction(SqlConnection& conn, TransactionMode mode) : conn_(conn) { conn_.Begin(mode); }
  ~SqlTransaction();
  SqlTransaction(const SqlTransaction&) = delete;
  SqlTransaction& operator=(const SqlTransaction&) = delete;
  void Commit() {
    conn_.Commit();
    done_ = true;
  }

 private:
  SqlConnection& conn_;
  bool done_ = false;
};

}  // namespace cdr::state::internal
