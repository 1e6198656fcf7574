// Opening the state file, the serial and the resources table. Jobs are in job_log.cc, the lock in
// state_lock.cc.
#include "state/state_store.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <spdlog/spdlog.h>

#include <system_error>
#include <utility>

#include "common/clock.h"
#include "state/internal/migrations.h"
#include "state/internal/sqlite_status.h"
#include "state/state_integrity.h"

namespace cdr::state {
namespace {

using internal::CatchSqlite;
using internal::CatchSqliteOr;

// Long enough to wait out another cdr's short write transaction, short enough that a stuck one surfaces.
constexpr int kBusyTimeoutMillis = 10'000;

constexpr const char* kResourceColumns =
    "address, kind, provider_id, status, attributes, created_at, updated_at";

ResourceRecord ReadResource(SQLite::Statement& q) {
  ResourceRecord r;
  r.address = q.getColumn(0).getString();
  r.kind = q.getColumn(1).getString();
  r.provider_id = q.getColumn(2).getString();
  r.status = q.getColumn(3).getString();
  r.attributes = nlohmann::json::parse(q.getColumn(4).getString(), nullptr, /*allow_exceptions=*/false);
  if (r.attributes.is_discarded()) {
    // Dropping unreadable attributes makes the next refresh rediscover them instead of failing every plan.
    spdlog::error("state: resource {} has unreadable attributes JSON; treating them as empty", r.address);
    r.attributes = nlohmann::json::object();
  }
  r.created_at = q.getColumn(5).getInt64();
  r.updated_at = q.getColumn(6).getInt64();
  return r;
}

// `address` and everything under it: "group.a" covers "group.a.server.x" but not "group.ab". substr, not
// LIKE, because addresses may contain LIKE's wildcard '_'.
constexpr const char* kSubtreeCondition = "(address = ?1 OR substr(address, 1, length(?1) + 1) = ?1 || '.')";

}  // namespace

StateStore::StateStore(std::unique_ptr<SQLite::Database> db) : db_(std::move(db)) {}
StateStore::~StateStore() = default;

Result<std::unique_ptr<StateStore>> StateStore::Open(const std::filesystem::path& path) {
  if (path.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec)
      return Unavailable("cannot create directory " + path.parent_path().string() + ": " + ec.message());
  }
  return CatchSqlite("open state file " + path.string(), [&]() -> Result<std::unique_ptr<StateStore>> {
    auto db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE,
                                                 kBusyTimeoutMillis);
    // Before anything is read or written: a damaged file must not be believed (nor "repaired" by a
    // migration).
    CDR_RETURN_IF_ERROR(CheckStateIntegrity(*db, path));
    db->exec("PRAGMA foreign_keys = ON");
    // Checked before anything is written: an older cdr must not touch a newer file, not even its journal
    // mode.
    int version = internal::ReadSchemaVersion(*db);
    int latest = internal::LatestSchemaVersion();
    if (version > latest) {
      return FailedPrecondition("state file " + path.string() + " has schema version " +
                                std::to_string(version) + ", this cdr understands up to " +
                                std::to_string(latest) + "; upgrade cdr");
    }
    std::string mode = db->execAndGet("PRAGMA journal_mode = WAL").getString();
    if (mode != "wal") spdlog::warn("state: {} could not use WAL (journal mode is {})", path.string(), mode);
    // FULL: every change is on disk before the provider call that follows it, so a crash never leaves the
    // cloud ahead of the state.
    db->exec("PRAGMA synchronous = FULL");
    internal::ApplyMigrations(*db);
    return std::unique_ptr<StateStore>(new StateStore(std::move(db)));
  });
}

int StateStore::SchemaVersion() const {
  return CatchSqliteOr("read schema version", 0, [&] { return internal::ReadSchemaVersion(*db_); });
}

int64_t StateStore::Serial() {
  return CatchSqliteOr("read serial", int64_t{0}, [&] {
    return db_->execAndGet("SELECT value FROM meta WHERE key = 'serial'").getInt64();
  });
}

int64_t StateStore::BumpSerial() {
  return CatchSqliteOr("bump serial", int64_t{-1}, [&] {
    SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    db_->exec("UPDATE meta SET value = value + 1 WHERE key = 'serial'");
    int64_t serial = db_->execAndGet("SELECT value FROM meta WHERE key = 'serial'").getInt64();
    tx.commit();
    return serial;
  });
}

std::vector<ResourceRecord> StateStore::Resources() {
  return CatchSqliteOr("list resources", std::vector<ResourceRecord>{}, [&] {
    SQLite::Statement q(*db_, std::string("SELECT ") + kResourceColumns + " FROM resources ORDER BY address");
    std::vector<ResourceRecord> out;
    while (q.executeStep()) out.push_back(ReadResource(q));
    return out;
  });
}

std::optional<ResourceRecord> StateStore::Get(const std::string& address) {
  return CatchSqliteOr(
      "get " + address, std::optional<ResourceRecord>{}, [&]() -> std::optional<ResourceRecord> {
        SQLite::Statement q(*db_,
                            std::string("SELECT ") + kResourceColumns + " FROM resources WHERE address = ?");
        q.bind(1, address);
        if (!q.executeStep()) return std::nullopt;
        return ReadResource(q);
      });
}

Status StateStore::Put(const ResourceRecord& record) {
  if (record.address.empty()) return InvalidArgument("resource address must not be empty");
  return CatchSqlite("put " + record.address, [&] {
    SQLite::Statement q(*db_, std::string("INSERT INTO resources (") + kResourceColumns + R"sql()
        VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (address) DO UPDATE SET kind = excluded.kind, provider_id = excluded.provider_id,
          status = excluded.status, attributes = excluded.attributes, updated_at = excluded.updated_at)sql");
    int64_t now = NowUnixMillis();
    q.bind(1, record.address);
    q.bind(2, record.kind);
    q.bind(3, record.provider_id);
    q.bind(4, record.status);
    q.bind(5, record.attributes.dump());
    q.bind(6, now);
    q.bind(7, now);
    q.exec();
    return Status::Ok();
  });
}

Status StateStore::Delete(const std::string& address) {
  // Deleting an absent row is Ok: an apply resumed after a crash may delete the same resource twice.
  return CatchSqlite("delete " + address, [&] {
    SQLite::Statement q(*db_, "DELETE FROM resources WHERE address = ?");
    q.bind(1, address);
    q.exec();
    return Status::Ok();
  });
}

Status StateStore::Move(const std::string& from_address, const std::string& to_address) {
  if (to_address.empty()) return InvalidArgument("cannot move " + from_address + " to an empty address");
  if (to_address.starts_with(from_address + ".")) {
    return InvalidArgument("cannot move " + from_address + " under itself (" + to_address + ")");
  }
  return CatchSqlite("move " + from_address + " to " + to_address, [&] {
    SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement exists(*db_, "SELECT count(*) FROM resources WHERE address = ?");
    exists.bind(1, from_address);
    exists.executeStep();
    if (exists.getColumn(0).getInt64() == 0) return NotFound("no resource at " + from_address + " to move");

    SQLite::Statement taken(*db_, std::string("SELECT address FROM resources WHERE ") + kSubtreeCondition +
                                      " ORDER BY address LIMIT 1");
    taken.bind(1, to_address);
    if (taken.executeStep()) {
      return AlreadyExists("cannot move " + from_address + " to " + to_address + ": " +
                           taken.getColumn(0).getString() + " already exists");
    }

    SQLite::Statement move(
        *db_, std::string("UPDATE resources SET address = ?2 || substr(address, length(?1) + 1), "
                          "updated_at = ?3 WHERE ") +
                  kSubtreeCondition);
    move.bind(1, from_address);
    move.bind(2, to_address);
    move.bind(3, NowUnixMillis());
    int moved = move.exec();
    tx.commit();
    spdlog::info("state: moved {} to {} ({} resources)", from_address, to_address, moved);
    return Status::Ok();
  });
}

}  // namespace cdr::state
