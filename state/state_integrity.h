// A state file is checked before it is believed: SQLite's quick_check when it is opened (a flipped bit in a
// page count made every table read empty, and `plan` offered to create everything again), and online backup
// and restore so a damaged file has a way back.
#pragma once

#include <SQLiteCpp/Database.h>

#include <filesystem>
#include <string>

#include "common/status.h"

namespace cdr::state {

// kDataLoss with a message that names the file, what SQLite found and how to restore it.
Status CheckStateIntegrity(SQLite::Database& db, const std::filesystem::path& path);

// Copies the state at `state_path` into `backup_path` (created 0600, replaced if present) with SQLite's
// online backup API: consistent even while another cdr writes. The state is checked first. A state on
// PostgreSQL is copied into a SQLite file the way `cdr state migrate` does.
Status BackupState(const std::filesystem::path& state_path, const std::filesystem::path& backup_path);

// Replaces the state with a checked copy of `backup_path`. kFailedPrecondition while a live process holds the
// state lock; a damaged state (whose lock cannot be read) may always be restored. A PostgreSQL state has its
// contents replaced by the backup's.
Status RestoreState(const std::filesystem::path& state_path, const std::filesystem::path& backup_path);

}  // namespace cdr::state
