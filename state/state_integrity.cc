#include "state/state_integrity.h"

#include <SQLiteCpp/Backup.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <optional>

#include "state/internal/sql_status.h"
#include "state/internal/sqlite_connection.h"
#include "state/state_location.h"
#include "state/state_migrate.h"
#include "state/state_store.h"

namespace cdr::state {
namespace fs = std::filesystem;
namespace {

std::string HowToRestore(const fs::path& path) {
  return "restore it with `cdr state restore BACKUP` (a file made by `cdr state backup`), or move " +
         path.string() + " aside and run `cdr plan` to see what a fresh state would recreate";
}

// A backup is written to a temporary name first, so a failed copy never replaces a good file.
Status CopyDatabase(SQLite::Database& from, const fs::path& to) {
  const fs::path tmp = to.string() + ".tmp";
  std::error_code ec;
  fs::remove(tmp, ec);
  // Created 0600 before SQLite opens it: the state names every protected server and address.
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Unavailable("cannot create " + tmp.string());
  ::close(fd);
  {
    SQLite::Database dest(tmp, SQLite::OPEN_READWRITE);
    SQLite::Backup backup(dest, from);
    backup.executeStep();                       // -1: every page in one step
    dest.exec("PRAGMA journal_mode = DELETE");  // one self-contained file, no -wal beside it
  }
  fs::rename(tmp, to, ec);
  if (ec) return Unavailable("cannot rename " + tmp.string() + " to " + to.string() + ": " + ec.message());
  return Status::Ok();
}

// A state on PostgreSQL is backed up into a SQLite file, by the same copy as `cdr state migrate`.
Status BackupServerState(const std::string& location, const fs::path& backup_path) {
  const fs::path tmp = backup_path.string() + ".tmp";
  std::error_code ec;
  fs::remove(tmp, ec);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Unavailable("cannot create " + tmp.string());
  ::close(fd);
  if (auto copied = MigrateState(location, tmp.string(), {}); !copied.ok()) {
    fs::remove(tmp, ec);
    return copied.status();
  }
  fs::rename(tmp, backup_path, ec);
  if (ec) return Unavailable("cannot rename " + tmp.string() + " to " + backup_path.string() + ": " + ec.message());
  return Status::Ok();
}

// Refused while a live process holds the lock of the state at `location`.
Status NotLockedByALiveHolder(const std::string& location) {
  Result<std::unique_ptr<StateStore>> current = StateStore::Open(location);
  if (!current.ok()) return Status::Ok();
  std::optional<LockInfo> lock = (*current)->CurrentLock();
  if (lock && StateStore::TakeoverReasonFor(*lock).empty()) {
    return FailedPrecondition("the state is locked by " + lock->owner + " (" + lock->operation + ", pid " +
                              std::to_string(lock->pid) + " on " + lock->host + "): restore once it has finished");
  }
  return Status::Ok();
}

}  // namespace

Status CheckStateIntegrity(SQLite::Database& db, const fs::path& path) {
  std::string found;
  try {
    found = db.execAndGet("PRAGMA quick_check").getString();
  } catch (const SQLite::Exception& e) {
    found = e.what();
  }
  if (found == "ok") return Status::Ok();
  return DataLoss("state file " + path.string() + " is damaged (SQLite quick_check: " + found +
                  "); nothing was read from it. " + HowToRestore(path));
}

Status BackupState(const fs::path& state_path, const fs::path& backup_path) {
  if (BackendOf(state_path) == StateBackend::kPostgres) return BackupServerState(state_path, backup_path);
  if (!fs::exists(state_path)) return NotFound("no state at " + state_path.string());
  return internal::CatchSql("back up the state to " + backup_path.string(), [&] {
    return internal::SqliteTranslated([&]() -> Status {
      SQLite::Database db(state_path, SQLite::OPEN_READONLY);
      CDR_RETURN_IF_ERROR(CheckStateIntegrity(db, state_path));
      return CopyDatabase(db, backup_path);
    });
  });
}

Status RestoreState(const fs::path& state_path, const fs::path& backup_path) {
  if (!fs::exists(backup_path)) return NotFound("no backup at " + backup_path.string());
  if (BackendOf(state_path) == StateBackend::kPostgres) {
    CDR_RETURN_IF_ERROR(NotLockedByALiveHolder(state_path));
    auto copied = MigrateState(backup_path.string(), state_path, {.replace_existing = true});
    return copied.ok() ? Status::Ok() : copied.status();
  }
  return internal::CatchSql("restore the state from " + backup_path.string(), [&] {
    return internal::SqliteTranslated([&]() -> Status {
      SQLite::Database backup(backup_path, SQLite::OPEN_READONLY);
      if (Status s = CheckStateIntegrity(backup, backup_path); !s.ok()) {
        return FailedPrecondition("backup " + backup_path.string() + " is damaged too; not restored");
      }
      if (fs::exists(state_path)) CDR_RETURN_IF_ERROR(NotLockedByALiveHolder(state_path));
      // The old file's -wal and -shm belong to it: gone before the copy takes its name.
      std::error_code ec;
      fs::remove(state_path.string() + "-wal", ec);
      fs::remove(state_path.string() + "-shm", ec);
      return CopyDatabase(backup, state_path);
    });
  });
}

}  // namespace cdr::state
