// The reader's side of the recovery-history files cdr-shadow writes beside each replica (the "base + redo log"
// contract, docs/recovery-points.md): paths, the disks that have a history, and the pins a reader writes. Only
// cdr-shadow writes history.json and recovery_points.json; they are parsed with its own loaders.
#pragma once

#include "shadow/history_files.h"
#include "shadow/recovery_points.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace cdr::recovery {

// The contract's structures and parsers are cdr-shadow's own (shadow/history_files.h, shadow/recovery_points.h):
// the writer and every reader judge a file the same way.
using RepairEntry = shadow::RepairEntry;
using DiskHistory = shadow::DiskHistory;
using RecoveryPoint = shadow::RecoveryPoint;
using DiskSeqs = std::map<std::string, uint64_t>;

// Paths inside REPLICA_DIR/<server>/.
std::filesystem::path HistoryPath(const std::filesystem::path& server_dir, const std::string& disk);
std::filesystem::path BaseImagePath(const std::filesystem::path& server_dir, const std::string& disk);
std::filesystem::path CdpLogDir(const std::filesystem::path& server_dir, const std::string& disk);
std::filesystem::path RecoveryPointsPath(const std::filesystem::path& server_dir);
std::filesystem::path HistoryLockPath(const std::filesystem::path& server_dir);
std::filesystem::path PinPath(const std::filesystem::path& server_dir, const std::string& pin_name);

// Disks of the server that have a <disk>.history.json, sorted by name.
std::vector<std::string> DisksWithHistory(const std::filesystem::path& server_dir);

// kNotFound when the disk has no history.json.
Result<DiskHistory> ReadDiskHistory(const std::filesystem::path& path);
// An absent recovery_points.json is an empty list (no policy yet).
Result<std::vector<RecoveryPoint>> ReadRecoveryPoints(const std::filesystem::path& path);

// Pin names become file names: letters, digits, '-', '_' and '.', not starting with '.'.
Status ValidatePinName(const std::string& name);
Status WritePin(const std::filesystem::path& server_dir, const std::string& pin_name, const DiskSeqs& seqs);
Status RemovePin(const std::filesystem::path& server_dir, const std::string& pin_name);

}  // namespace cdr::recovery
