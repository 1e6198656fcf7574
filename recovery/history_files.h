// The recovery-history files cdr-shadow writes beside each replica (the "base + redo log" contract of issue
// #4): <disk>.history.json per disk, recovery_points.json and pins/<name>.json per server. Only cdr-shadow
// writes history.json and recovery_points.json; readers parse them here so every consumer judges a malformed
// file the same way, with an error naming the file and the field.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace cdr::recovery {

struct RepairEntry {
  uint64_t after_seq = 0;     // X: the replica's applied seq when the repair started
  uint64_t finished_seq = 0;  // R: the repair's base seq when it finished; 0 while it is still running
  std::string dir;            // "<disk>.repair-<X>", relative to the server directory
  bool finished() const { return finished_seq != 0; }
};

struct DiskHistory {
  uint64_t disk_size = 0;
  uint64_t base_seq = 0;
  uint64_t base_time_ns = 0;
  std::vector<RepairEntry> repairs;
};

using DiskSeqs = std::map<std::string, uint64_t>;

struct RecoveryPoint {
  std::string id;  // "rp-20261125T010000Z"
  uint64_t time_ns = 0;
  std::string kind;  // "scheduled" | "manual"
  DiskSeqs seqs;
};

// Paths inside REPLICA_DIR/<server>/.
std::filesystem::path HistoryPath(const std::filesystem::path& server_dir, const std::string& disk);
std::filesystem::path BaseImagePath(const std::filesystem::path& server_dir, const std::string& disk);
std::filesystem::path CdpLogDir(const std::filesystem::path& server_dir, const std::string& disk);
std::filesystem::path RecoveryPointsPath(const std::filesystem::path& server_dir);
std::filesystem::path HistoryLockPath(const std::filesystem::path& server_dir);
std::filesystem::path PinPath(const std::filesystem::path& server_dir, const std::string& pin_name);

// Disks of the server that have a <disk>.history.json, sorted by name.
std::vector<std::string> DisksWithHistory(const std::filesystem::path& server_dir);

Result<DiskHistory> ReadDiskHistory(const std::filesystem::path& path);
// An absent recovery_points.json is an empty list (no policy yet).
Result<std::vector<RecoveryPoint>> ReadRecoveryPoints(const std::filesystem::path& path);

// Pin names become file names: letters, digits, '-', '_' and '.', not starting with '.'.
Status ValidatePinName(const std::string& name);
Status WritePin(const std::filesystem::path& server_dir, const std::string& pin_name, const DiskSeqs& seqs);
Status RemovePin(const std::filesystem::path& server_dir, const std::string& pin_name);

}  // namespace cdr::recovery
