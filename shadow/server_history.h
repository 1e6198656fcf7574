// The recovery history of one server directory, shared by the connections of its disks inside one cdr-shadow
// process (one object per directory, behind one mutex). It tracks, per disk, which durable seq each schedule
// instant maps to, takes the scheduled recovery points, applies retention and serves point requests.
//
// A point at instant T is taken once every disk that has a history is past T:
//   - a durable record with time > T exists (agent times are non-decreasing in seq order, so every record
//     <= T is durable too), or
//   - the disk is idle and caught up: its connection committed with nothing new at a time > T (the agent
//   sends
//     a heartbeat only when its journal is fully sent);
// and skipped when some disk cannot give a consistent seq at T (before its base, during or across a repair).
// Its seq for a disk is the greatest durable seq whose record time is <= T.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "shadow/recovery_points.h"
#include "shadow/recovery_policy.h"

namespace cdr::shadow {

struct DurableRecord {
  uint64_t seq;
  uint64_t time_ns;
};

class ServerHistory {
 public:
  // The process-wide object of REPLICA_DIR/<server>/.
  static std::shared_ptr<ServerHistory> For(const std::filesystem::path& server_dir);
  explicit ServerHistory(std::filesystem::path server_dir);

  const std::filesystem::path& server_dir() const { return server_dir_; }
  // A policy.json is in force: bases are taken and points scheduled.
  bool enabled();

  // The caller holds the returned lock while it changes a disk's history files.
  std::unique_lock<std::mutex> Lock() { return std::unique_lock(mutex_); }

  // What a connection reports about its disk (each takes the mutex).
  void DiskOpened(const std::string& disk, bool consistent, uint64_t applied_seq,
                  uint64_t last_record_time_ns);
  void DiskClosed(const std::string& disk);
  void HistoryStarted(const std::string& disk, uint64_t base_seq, uint64_t base_time_ns);
  void RepairStarted(const std::string& disk);
  void RepairFinished(const std::string& disk, uint64_t seq, uint64_t now_ns);
  // Records made durable by a commit (in seq order); `quiet`: the commit had nothing new (a heartbeat).
  void Committed(const std::string& disk, const std::vector<DurableRecord>& records, bool quiet,
                 uint64_t now_ns);

  // Removes the disk from every point (history reset). The caller holds Lock().
  Status DropDiskFromPointsLocked(const std::string& disk);

 private:
  struct Bucket {  // durable records of one schedule interval (T - every, T]
    uint64_t min_time, max_time, max_seq;
  };
  struct DiskTrack {
    bool has_history = false;
    bool consistent = false;
    uint64_t floor_seq = 0, floor_time = 0;  // every seq <= floor_seq has time <= floor_time
    std::vector<Bucket> buckets;             // durable records after floor_seq
    uint64_t durable_seq = 0, durable_time = 0;
    uint64_t quiet_time = 0;      // everything the agent had was durable at this time
    uint64_t min_point_time = 0;  // no consistent seq before this (base taken, repair finished)
  };
  // The greatest durable seq with time <= t; nullopt when it cannot be told (or is not consistent).
  std::optional<uint64_t> SeqAtLocked(const DiskTrack& track, uint64_t t) const;
  void TakeDuePointsLocked(uint64_t now_ns);
  void ApplyRetentionLocked(const RecoveryPolicy& policy);
  void ServePointRequestsLocked();
  void CompactLocked(uint64_t up_to_time);

  const std::filesystem::path server_dir_;
  std::mutex mutex_;
  PolicyWatcher policy_;
  uint64_t every_ns_ = 0;      // of the policy the buckets were cut with
  uint64_t next_instant_ = 0;  // the next schedule instant to take a point at
  uint64_t last_retention_ns_ = 0;
  std::map<std::string, DiskTrack> disks_;
};

}  // namespace cdr::shadow
