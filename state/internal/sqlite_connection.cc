#include "state/internal/sqlite_connection.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <filesystem>

#include "state/state_integrity.h"

namespace cdr::state::internal {
namespace {

// Long enough to wait out another cdr's short write transaction, short enough that a stuck one surfaces.
constexpr int kBusyTimeoutMillis = 10'000;

}  // namespace

SqlError SqlErrorFromSqlite(const SQLite::Exception& e) {
  // Extended codes carry the primary code in the low byte.
  switch (e.getErrorCode() & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return SqlError(SqlErrorKind::kBusy, e.what());
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return SqlError(SqlErrorKind::kCorrupt, e.what());
    default:
      return SqlError(SqlErrorKind::kOther, e.what());
  }
}

namespace {

SqlValue ReadColumn(const SQLite::Column& c) {
  switch (c.getType()) {
    case SQLITE_INTEGER:
      return SqlValue(static_cast<int64_t>(c.getInt64()));
    case SQLITE_FLOAT:
      return SqlValue(c.getDouble());
    case SQLITE_NULL:
      return SqlValue();
    default:
      return SqlValue(c.getString());
  }
}

void Bind(SQLite::Statement& q, int index, const SqlValue& v) {
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          q.bind(index);
        } else {
          q.bind(index, x);
        }
      },
      v.get());
}

class SqliteConnection final : public SqlConnection {
 public:
  SqliteConnection(std::unique_ptr<SQLite::Database> db, std::string location)
      : db_(std::move(db)), location_(std::move(location)) {}

  StateBackend backend() const override { return StateBackend::kSqlite; }

  SqlResult Query(std::string_view sql, const std::vector<SqlValue>& params) override {
    return SqliteTranslated([&] {
      SQLite::Statement q(*db_, std::string(sql));
      for (size_t i = 0; i < params.size(); ++i) Bind(q, static_cast<int>(i + 1), params[i]);
      SqlResult out;
      while (q.executeStep()) {
        SqlRow row;
        for (int c = 0; c < q.getColumnCount(); ++c) row.values.push_back(ReadColumn(q.getColumn(c)));
        out.rows.push_back(std::move(row));
      }
      out.affected = db_->getChanges();
      return out;
    });
  }

  void ExecScript(std::string_view sql) override { SqliteTranslated([&] { return db_->exec(std::string(sql)); }); }

  void Begin(TransactionMode mode) override {
    SqliteTranslated([&] { return db_->exec(mode == TransactionMode::kWrite ? "BEGIN IMMEDIATE" : "BEGIN"); });
  }
  void Commit() override { SqliteTranslated([&] { return db_->exec("COMMIT"); }); }
  void Rollback() override { SqliteTranslated([&] { return db_->exec("ROLLBACK"); }); }

  int SchemaVersion() override {
    return SqliteTranslated([&] { return db_->execAndGet("PRAGMA user_version").getInt(); });
  }
  void SetSchemaVersion(int version) override {
    SqliteTranslated([&] { return db_->exec("PRAGMA user_version = " + std::to_string(version)); });
  }

  void PrepareForWrites() override {
    std::string mode = Query("PRAGMA journal_mode = WAL", {}).rows.at(0).Text(0);
    // An empty state read in memory (cmd's OpenStateForReadingOrReport) has no file to keep a WAL beside.
    if (mode != "wal" && location_ != ":memory:") spdlog::warn("state: {} could not use WAL (journal mode is {})", location_, mode);
    // FULL: every change is on disk before the provider call that follows it, so a crash never leaves the
    // cloud ahead of the state.
    ExecScript("PRAGMA synchronous = FULL");
  }

  // One file on one host: the lock row and the holder's pid are all there is.
  SessionLock TrySessionLock() override { return SessionLock::kUnsupported; }
  void ReleaseSessionLock() override {}
  bool EndSessionLockHolder() override { return true; }
  // AUTOINCREMENT keeps sqlite_sequence at the largest id ever inserted, copied ones included.
  void ResyncIdSequence(const std::string&) override {}

 private:
  std::unique_ptr<SQLite::Database> db_;
  const std::string location_;
};

}  // namespace

Result<std::unique_ptr<SqlConnection>> OpenSqliteConnection(const std::string& location) {
  const std::filesystem::path path(location);
  if (path.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) return Unavailable("cannot create directory " + path.parent_path().string() + ": " + ec.message());
  }
  try {
    auto db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE,
                                                 kBusyTimeoutMillis);
    // Before anything is read or written: a damaged file must not be believed (nor "repaired" by a
    // migration).
    CDR_RETURN_IF_ERROR(CheckStateIntegrity(*db, path));
    db->exec("PRAGMA foreign_keys = ON");
    return std::unique_ptr<SqlConnection>(new SqliteConnection(std::move(db), location));
  } catch (const SQLite::Exception& e) {
    SqlError error = SqlErrorFromSqlite(e);
    if (error.kind() == SqlErrorKind::kCorrupt) {
      return DataLoss("open state file " + location + ": " + e.what() +
                      " (the state file is damaged or not a cdr state file)");
    }
    return Unavailable("open state file " + location + ": " + e.what());
  }
}

}  // namespace cdr::state::internal
