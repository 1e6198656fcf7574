// Opening the state, the serial and the resources table. Jobs are in job_log.cc, the lock in state_lock.cc.
#include "state/state_store.h"

#include <spdlog/spdlog.h>

#include <utility>

#include "common/clock.h"
#include "state/internal/migrations.h"
#include "state/internal/sql_connection.h"
#include "state/internal/sql_status.h"

namespace cdr::state {
namespace {

using internal::CatchSql;
using internal::CatchSqlOr;
using internal::SqlRow;
using internal::SqlTransaction;
using internal::TransactionMode;

constexpr const char* kResourceColumns =
    "address, kind, provider_id, status, attributes, created_at, updated_at";

ResourceRecord ReadResource(const SqlRow& q) {
  ResourceRecord r;
  r.address = q.Text(0);
  const std::string kind = q.Text(1);
  const std::optional<ResourceKind> parsed = ParseResourceKind(kind);
  // Only a newer cdr (or a hand edit) writes a kind this one does not know: acting on the rest would plan
  // around a resource it cannot see.
  if (!parsed) {
    throw internal::SqlError(internal::SqlErrorKind::kCorrupt, "resource " + r.address + " has kind `" +
                                                                   kind + "`, which this cdr does not know");
  }
  r.kind = *parsed;
  r.provider_id = q.Text(2);
  r.status = q.Text(3);
  r.attributes = nlohmann::json::parse(q.Text(4), nullptr, /*allow_exceptions=*/false);
  if (r.attributes.is_discarded()) {
    // Dropping unreadable attributes makes the next refresh rediscover them instead of failing every plan.
    spdlog::error("state: resource {} has unreadable attributes JSON; treating them as empty", r.address);
    r.attributes = nlohmann::json::object();
  }
  r.created_at = q.Int64(5);
  r.updated_at = q.Int64(6);
  return r;
}

// `address` and everything under it: "group.a" covers "group.a.server.x" but not "group.ab". substr, not
// LIKE, because addresses may contain LIKE's wildcard '_'.
constexpr const char* kSubtreeCondition = "(address = ?1 OR substr(address, 1, length(?1) + 1) = ?1 || '.')";

}  // namespace

StateStore::StateStore(std::unique_ptr<internal::SqlConnection> db) : db_(std::move(db)) {}
StateStore::~StateStore() = default;

Result<std::unique_ptr<StateStore>> StateStore::Open(const std::string& location) {
  const std::string shown = RedactedLocation(location);
  auto conn = internal::OpenSqlConnection(location);
  if (!conn.ok()) return conn.status();
  internal::SqlConnection& db = **conn;
  return CatchSql("open state " + shown, [&]() -> Result<std::unique_ptr<StateStore>> {
    // Checked before anything is written: an older cdr must not touch a newer state.
    int version = db.SchemaVersion();
    int latest = internal::LatestSchemaVersion();
    if (version > latest) {
      return FailedPrecondition("state " + shown + " has schema version " + std::to_string(version) +
                                ", this cdr understands up to " + std::to_string(latest) + "; upgrade cdr");
    }
    db.PrepareForWrites();
    internal::ApplyMigrations(db, shown);
    return std::unique_ptr<StateStore>(new StateStore(std::move(conn).value()));
  });
}

int StateStore::SchemaVersion() const {
  return CatchSqlOr("read schema version", 0, [&] { return db_->SchemaVersion(); });
}

int64_t StateStore::Serial() {
  return CatchSqlOr("read serial", int64_t{0},
                    [&] { return db_->Query("SELECT value FROM meta WHERE key = 'serial'").rows.at(0).Int64(0); });
}

int64_t StateStore::BumpSerial() {
  return CatchSqlOr("bump serial", int64_t{-1}, [&] {
    return db_->Query("UPDATE meta SET value = value + 1 WHERE key = 'serial' RETURNING value").rows.at(0).Int64(0);
  });
}

std::vector<ResourceRecord> StateStore::Resources() {
  return CatchSqlOr("list resources", std::vector<ResourceRecord>{}, [&] {
    std::vector<ResourceRecord> out;
    for (const SqlRow& row :
         db_->Query(std::string("SELECT ") + kResourceColumns + " FROM resources ORDER BY address").rows) {
      out.push_back(ReadResource(row));
    }
    return out;
  });
}

std::optional<ResourceRecord> StateStore::Get(const std::string& address) {
  return CatchSqlOr("get " + address, std::optional<ResourceRecord>{}, [&]() -> std::optional<ResourceRecord> {
    auto r = db_->Query(std::string("SELECT ") + kResourceColumns + " FROM resources WHERE address = ?", {address});
    if (r.rows.empty()) return std::nullopt;
    return ReadResource(r.rows[0]);
  });
}

namespace {

constexpr char kUpsertResource[] = R"sql(
    VALUES (?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (address) DO UPDATE SET kind = excluded.kind, provider_id = excluded.provider_id,
      status = excluded.status, attributes = excluded.attributes, updated_at = excluded.updated_at)sql";

void Upsert(internal::SqlConnection& db, const ResourceRecord& record, int64_t now) {
  db.Query(std::string("INSERT INTO resources (") + kResourceColumns + ")" + kUpsertResource,
           {record.address, ResourceKindName(record.kind), record.provider_id, record.status,
            record.attributes.dump(), now, now});
}

}  // namespace

Status StateStore::Put(const ResourceRecord& record) {
  if (record.address.empty()) return InvalidArgument("resource address must not be empty");
  return CatchSql("put " + record.address, [&] {
    Upsert(*db_, record, NowUnixMillis());
    return Status::Ok();
  });
}

Status StateStore::PutAll(const std::vector<ResourceRecord>& records) {
  for (const auto& r : records) {
    if (r.address.empty()) return InvalidArgument("resource address must not be empty");
  }
  if (records.empty()) return Status::Ok();
  return CatchSql("put " + std::to_string(records.size()) + " resources", [&] {
    SqlTransaction tx(*db_, TransactionMode::kWrite);
    const int64_t now = NowUnixMillis();
    for (const auto& r : records) Upsert(*db_, r, now);
    tx.Commit();
    return Status::Ok();
  });
}

Status StateStore::Delete(const std::string& address) {
  // Deleting an absent row is Ok: an apply resumed after a crash may delete the same resource twice.
  return CatchSql("delete " + address, [&] {
    db_->Query("DELETE FROM resources WHERE address = ?", {address});
    return Status::Ok();
  });
}

Status StateStore::Move(const std::string& from_address, const std::string& to_address) {
  if (to_address.empty()) return InvalidArgument("cannot move " + from_address + " to an empty address");
  if (to_address.starts_with(from_address + ".")) {
    return InvalidArgument("cannot move " + from_address + " under itself (" + to_address + ")");
  }
  return CatchSql("move " + from_address + " to " + to_address, [&] {
    SqlTransaction tx(*db_, TransactionMode::kWrite);
    auto exists = db_->Query("SELECT count(*) FROM resources WHERE address = ?", {from_address});
    if (exists.rows.at(0).Int64(0) == 0) return NotFound("no resource at " + from_address + " to move");

    auto taken = db_->Query(
        std::string("SELECT address FROM resources WHERE ") + kSubtreeCondition + " ORDER BY address LIMIT 1",
        {to_address});
    if (!taken.rows.empty()) {
      return AlreadyExists("cannot move " + from_address + " to " + to_address + ": " + taken.rows[0].Text(0) +
                           " already exists");
    }

    auto moved = db_->Query(
        std::string("UPDATE resources SET address = ?2 || substr(address, length(?1) + 1), updated_at = ?3 WHERE ") +
            kSubtreeCondition,
        {from_address, to_address, NowUnixMillis()});
    tx.Commit();
    spdlog::info("state: moved {} to {} ({} resources)", from_address, to_address, moved.affected);
    return Status::Ok();
  });
}

}  // namespace cdr::state
