// A server's recovery history (REPLICA_DIR/<server>/), opened for a reader: the disks that have history, the
// window of each, the recovery points with the bytes changed between them, and the resolution of a choice —
// "latest", an RFC 3339 time or a recovery point id — into one consistent seq per disk.
//
// Pin protocol (shared with cdr-shadow): Open() holds flock(LOCK_SH) on history.lock while it opens and keeps
// open every file it indexes; Pin() writes pins/<name>.json (so the base never rolls past the pinned seqs)
// and releases the lock. A reader that only lists (Points) calls Unlock() instead.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "recovery/disk_log.h"
#include "recovery/history_files.h"

namespace cdr::recovery {

struct ResolvedPoint {
  std::optional<std::string> id;  // set when chosen by recovery point id
  uint64_t time_ns = 0;
  DiskSeqs seqs;
};
nlohmann::json ResolvedPointToJson(const ResolvedPoint& point);
Result<ResolvedPoint> ResolvedPointFromJson(const nlohmann::json& doc, const std::string& where);

struct DiskWindow {
  std::string disk;
  uint64_t start_time_ns = 0;  // base_time_ns
  uint64_t end_time_ns = 0;    // time of the newest durable record
  uint64_t base_seq = 0;
  uint64_t newest_seq = 0;
};

struct PointSummary {
  RecoveryPoint point;
  uint64_t bytes = 0;  // data changed since the previous point (since the base for the oldest), all disks
};

class HistoryReader {
 public:
  static Result<std::unique_ptr<HistoryReader>> Open(const std::filesystem::path& server_dir);
  ~HistoryReader();
  HistoryReader(const HistoryReader&) = delete;
  HistoryReader& operator=(const HistoryReader&) = delete;

  const std::filesystem::path& server_dir() const { return server_dir_; }
  std::vector<std::string> disks() const;
  std::shared_ptr<const DiskLog> disk(const std::string& name) const;
  std::vector<DiskWindow> Windows() const;
  std::vector<PointSummary> Points() const;

  // "latest" | RFC 3339 time | recovery point id.
  Result<ResolvedPoint> Resolve(const std::string& choice) const;
  // Every disk with history has a consistent seq in `point`.
  Status Check(const ResolvedPoint& point) const;

  // Writes pins/<name>.json with the point's seqs and releases the lock.
  Status Pin(const std::string& pin_name, const ResolvedPoint& point);
  void Unlock();

 private:
  HistoryReader(std::filesystem::path server_dir, int lock_fd)
      : server_dir_(std::move(server_dir)), lock_fd_(lock_fd) {}

  std::filesystem::path server_dir_;
  int lock_fd_;
  std::map<std::string, std::shared_ptr<const DiskLog>> disks_;
  std::vector<RecoveryPoint> points_;
};

}  // namespace cdr::recovery
