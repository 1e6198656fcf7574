// The recovery-history files of one server directory, REPLICA_DIR/<server>/ (docs/recovery-points.md is the
// contract shared with the readers that materialize a disk at a point):
//
//   <disk>.base.img        frozen, sparse copy of the replica at base_seq
//   <disk>.history.json    {"version":1, "disk_size", "base_seq", "base_time_ns", "repairs":[...]}
//   <disk>.cdp/            the CDP log (cdp_log.h); records <= base_seq are ignored by readers
//   <disk>.repair-<X>/     blocks a repair wrote, journal format, seqs from 1
//   recovery_points.json, policy.json, pins/, point-requests/, history.lock
//
// Only cdr-shadow writes history.json, always atomically (tmp + fsync + rename).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace cdr::shadow {

struct HistoryPaths {
  std::filesystem::path server_dir;
  std::string disk;

  std::filesystem::path image() const { return server_dir / (disk + ".img"); }
  std::filesystem::path base() const { return server_dir / (disk + ".base.img"); }
  std::filesystem::path history() const { return server_dir / (disk + ".history.json"); }
  std::filesystem::path cdp_dir() const { return server_dir / (disk + ".cdp"); }
  std::string repair_dir_name(uint64_t after_seq) const {
    return disk + ".repair-" + std::to_string(after_seq);
  }
};

std::filesystem::path PointsPath(const std::filesystem::path& server_dir);
std::filesystem::path PolicyPath(const std::filesystem::path& server_dir);
std::filesystem::path PinsDir(const std::filesystem::path& server_dir);
std::filesystem::path PointRequestsDir(const std::filesystem::path& server_dir);
std::filesystem::path HistoryLockPath(const std::filesystem::path& server_dir);

struct RepairEntry {
  uint64_t after_seq = 0;     // X: the replica's applied seq when the repair started
  uint64_t finished_seq = 0;  // R: the repair's base seq once it finished; 0 while it runs
  std::string dir;            // "<disk>.repair-<X>", relative to the server directory
  bool finished() const { return finished_seq != 0; }
};

struct DiskHistory {
  uint64_t disk_size = 0;
  uint64_t base_seq = 0;
  uint64_t base_time_ns = 0;
  std::vector<RepairEntry> repairs;  // by after_seq
  // A roll-forward to this seq was started and has not finished: base.img may hold records past base_seq.
  // Only cdr-shadow reads it (to finish the roll after a crash); the window already starts at its time.
  uint64_t rolling_to = 0;
};

// nullopt when the disk has no history.json; kDataLoss naming the file and field for a damaged one.
Result<std::optional<DiskHistory>> LoadDiskHistory(const std::filesystem::path& path);
Status SaveDiskHistory(const std::filesystem::path& path, const DiskHistory& history);

// fsyncs a directory so a rename or unlink in it survives a crash.
void SyncDirectory(const std::filesystem::path& dir);

}  // namespace cdr::shadow
