#include "shadow/server_history.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "shadow/history_files.h"
#include "shadow/history_pins.h"
#include "shadow/history_retention.h"
#include "shadow/point_requests.h"
#include "shadow/recovery_point_kind.h"

namespace cdr::shadow {
namespace fs = std::filesystem;
namespace {

constexpr uint64_t kSecondNs = 1000000000ull;

// Only scheduled points count against the keep policy; a manual point, or one of a kind this release does not
// know, is never pruned as one.
bool Scheduled(const RecoveryPoint& p) {
  return ParseRecoveryPointKind(p.kind) == RecoveryPointKind::kScheduled;
}
// A quiet commit answers the agent's heartbeat, sent when its journal was fully sent; the margin covers the
// heartbeat's trip and the clock difference between the agent and this host.
constexpr uint64_t kQuietMarginNs = kSecondNs;
// Pins come and go without a point being taken: retention looks again at least this often.
constexpr uint64_t kRetentionEveryNs = 5 * kSecondNs;

uint64_t InstantAtOrAfter(uint64_t t, uint64_t every_ns) { return (t + every_ns - 1) / every_ns * every_ns; }

}  // namespace

std::shared_ptr<ServerHistory> ServerHistory::For(const fs::path& server_dir) {
  static std::mutex registry_mutex;
  static std::map<std::string, std::shared_ptr<ServerHistory>> registry;
  std::error_code ec;
  const std::string key = fs::weakly_canonical(server_dir, ec).string();
  std::lock_guard lock(registry_mutex);
  std::shared_ptr<ServerHistory>& entry = registry[key.empty() ? server_dir.string() : key];
  if (entry == nullptr) entry = std::make_shared<ServerHistory>(server_dir);
  return entry;
}

ServerHistory::ServerHistory(fs::path server_dir)
    : server_dir_(std::move(server_dir)), policy_(PolicyPath(server_dir_)) {
  std::error_code ec;
  const std::string suffix = ".history.json";
  for (const auto& entry : fs::directory_iterator(server_dir_, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() <= suffix.size() ||
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
      continue;
    }
    const std::string disk = name.substr(0, name.size() - suffix.size());
    disks_[disk].has_history = true;  // blocks points until its connection says where it is
    if (Status s = FinishInterruptedRoll({server_dir_, disk}); !s.ok()) {
      spdlog::error("history {}: {}", disk, s.ToString());
    }
  }
}

bool ServerHistory::enabled() {
  std::lock_guard lock(mutex_);
  return policy_.Current().has_value();
}

void ServerHistory::DiskOpened(const std::string& disk, bool consistent, uint64_t applied_seq,
                               uint64_t last_record_time_ns) {
  std::lock_guard lock(mutex_);
  DiskTrack& t = disks_[disk];
  std::error_code ec;
  t.has_history = fs::exists(HistoryPaths{server_dir_, disk}.history(), ec);
  t.consistent = consistent;
  if (t.durable_seq != applied_seq || t.floor_time == 0) {  // new to this process, or it moved without us
    t.floor_seq = t.durable_seq = applied_seq;
    t.floor_time = t.durable_time = last_record_time_ns;
    t.buckets.clear();
    t.min_point_time = std::max(t.min_point_time, last_record_time_ns);
  }
}

void ServerHistory::DiskClosed(const std::string& disk) {
  std::lock_guard lock(mutex_);
  disks_[disk].quiet_time = 0;
}

void ServerHistory::HistoryStarted(const std::string& disk, uint64_t base_seq, uint64_t base_time_ns) {
  std::lock_guard lock(mutex_);
  DiskTrack& t = disks_[disk];
  t.has_history = true;
  t.consistent = true;
  t.floor_seq = std::max(t.durable_seq, base_seq);
  t.floor_time = std::max(t.durable_time, base_time_ns);
  t.durable_seq = t.floor_seq;
  t.durable_time = t.floor_time;
  t.buckets.clear();
  t.min_point_time = base_time_ns;
}

void ServerHistory::RepairStarted(const std::string& disk) {
  std::lock_guard lock(mutex_);
  disks_[disk].consistent = false;
  disks_[disk].quiet_time = 0;
}

void ServerHistory::RepairFinished(const std::string& disk, uint64_t seq, uint64_t now_ns) {
  std::lock_guard lock(mutex_);
  DiskTrack& t = disks_[disk];
  // The records the repair replaced were never sent: no instant before now has a consistent seq.
  t.consistent = true;
  t.floor_seq = t.durable_seq = seq;
  t.floor_time = t.durable_time = now_ns;
  t.buckets.clear();
  t.min_point_time = now_ns;
}

void ServerHistory::Committed(const std::string& disk, const std::vector<DurableRecord>& records, bool quiet,
                              uint64_t now_ns) {
  std::lock_guard lock(mutex_);
  const std::optional<RecoveryPolicy>& policy = policy_.Current();
  const uint64_t every_ns = policy ? policy->every_seconds * kSecondNs : 0;
  if (every_ns != every_ns_) {
    every_ns_ = every_ns;
    next_instant_ = every_ns == 0 ? 0 : InstantAtOrAfter(now_ns + 1, every_ns);
    Result<std::vector<RecoveryPoint>> points = LoadRecoveryPoints(PointsPath(server_dir_));
    if (points.ok()) {
      for (const RecoveryPoint& p : *points) {
        if (Scheduled(p) && every_ns != 0) next_instant_ = std::max(next_instant_, p.time_ns + every_ns);
      }
    }
  }
  DiskTrack& t = disks_[disk];
  for (const DurableRecord& r : records) {
    t.durable_seq = r.seq;
    t.durable_time = std::max(t.durable_time, r.time_ns);
    if (every_ns == 0 || !t.has_history) {
      t.floor_seq = r.seq;  // nothing will ask for an older seq: keep no buckets
      t.floor_time = std::max(t.floor_time, r.time_ns);
      continue;
    }
    if (!t.buckets.empty() && r.time_ns >= t.buckets.back().max_time &&
        InstantAtOrAfter(r.time_ns, every_ns) == InstantAtOrAfter(t.buckets.back().max_time, every_ns)) {
      t.buckets.back().max_time = r.time_ns;
      t.buckets.back().max_seq = r.seq;
    } else {
      t.buckets.push_back({r.time_ns, r.time_ns, r.seq});
    }
  }
  if (quiet && t.consistent && now_ns > kQuietMarginNs) t.quiet_time = now_ns - kQuietMarginNs;
  if (!policy) return;
  const uint64_t before = next_instant_;
  TakeDuePointsLocked(now_ns);
  ServePointRequestsLocked();
  if (next_instant_ != before || now_ns >= last_retention_ns_ + kRetentionEveryNs) {
    last_retention_ns_ = now_ns;
    ApplyRetentionLocked(*policy);
  }
}

std::optional<uint64_t> ServerHistory::SeqAtLocked(const DiskTrack& t, uint64_t time) const {
  if (!t.consistent || time < t.min_point_time || time < t.floor_time) return std::nullopt;
  uint64_t seq = t.floor_seq;
  for (const Bucket& b : t.buckets) {
    if (b.max_time <= time) {
      seq = b.max_seq;
    } else if (b.min_time <= time) {
      return std::nullopt;  // cut with another schedule: the instant falls inside the bucket
    } else {
      break;
    }
  }
  return seq;
}

void ServerHistory::TakeDuePointsLocked(uint64_t now_ns) {
  while (every_ns_ != 0 && next_instant_ <= now_ns) {
    const uint64_t instant = next_instant_;
    RecoveryPoint point{"", instant, RecoveryPointKindName(RecoveryPointKind::kScheduled), {}};
    std::string skip_reason, waiting_for;
    for (const auto& [disk, t] : disks_) {
      if (!t.has_history) continue;
      const bool ready = t.consistent && (t.durable_time > instant || t.quiet_time > instant);
      if (!ready) {
        if (t.consistent && instant < t.min_point_time) skip_reason = disk + " has no consistent seq then";
        waiting_for = disk;
        continue;
      }
      std::optional<uint64_t> seq = SeqAtLocked(t, instant);
      if (!seq) {
        skip_reason = disk + " has no consistent seq then";
        continue;
      }
      point.seqs[disk] = *seq;
    }
    if (skip_reason.empty() && !waiting_for.empty()) return;  // a disk is not past the instant yet
    next_instant_ += every_ns_;
    CompactLocked(instant);
    if (!skip_reason.empty() || point.seqs.empty()) {
      if (!skip_reason.empty())
        spdlog::info("{}: no recovery point at {}: {}", server_dir_.string(), instant, skip_reason);
      continue;
    }
    Result<std::vector<RecoveryPoint>> points = LoadRecoveryPoints(PointsPath(server_dir_));
    if (!points.ok()) {
      spdlog::error("recovery points not recorded: {}", points.status().ToString());
      return;
    }
    point.id = PointIdFor(instant, *points);
    points->push_back(point);
    if (Status s = SaveRecoveryPoints(PointsPath(server_dir_), std::move(*points)); !s.ok()) {
      spdlog::error("recovery point {} not recorded: {}", point.id, s.ToString());
      return;
    }
    spdlog::info("{}: recovery point {} taken", server_dir_.filename().string(), point.id);
  }
}

void ServerHistory::CompactLocked(uint64_t up_to_time) {
  for (auto& [disk, t] : disks_) {
    size_t merged = 0;
    while (merged < t.buckets.size() && t.buckets[merged].max_time <= up_to_time) {
      t.floor_seq = t.buckets[merged].max_seq;
      t.floor_time = std::max(t.floor_time, t.buckets[merged].max_time);
      ++merged;
    }
    t.buckets.erase(t.buckets.begin(), t.buckets.begin() + static_cast<std::ptrdiff_t>(merged));
  }
}

void ServerHistory::ApplyRetentionLocked(const RecoveryPolicy& policy) {
  Result<std::vector<RecoveryPoint>> loaded = LoadRecoveryPoints(PointsPath(server_dir_));
  if (!loaded.ok()) {
    spdlog::error("retention skipped: {}", loaded.status().ToString());
    return;
  }
  std::vector<RecoveryPoint> points = std::move(*loaded);
  std::stable_sort(points.begin(), points.end(),
                   [](const RecoveryPoint& a, const RecoveryPoint& b) { return a.time_ns < b.time_ns; });
  size_t scheduled = std::count_if(points.begin(), points.end(), Scheduled);
  const size_t before = points.size();
  // The oldest scheduled points go; manual points older than the oldest kept one would hold the base forever.
  while (scheduled > policy.keep) {
    auto oldest = std::find_if(points.begin(), points.end(), Scheduled);
    points.erase(points.begin(), oldest + 1);
    --scheduled;
  }
  if (points.size() != before) {
    if (Status s = SaveRecoveryPoints(PointsPath(server_dir_), points); !s.ok()) {
      spdlog::error("retention: {}", s.ToString());
      return;
    }
    spdlog::info("{}: retention dropped {} recovery points", server_dir_.filename().string(),
                 before - points.size());
  }
  // The base trails the oldest point only once the window is full: until then the base itself is the
  // oldest instant a DR disk can be made at.
  if (scheduled < policy.keep) return;
  bool unreadable_pin = false;
  const std::map<std::string, uint64_t> pins = LowestPinnedSeqs(server_dir_, &unreadable_pin);
  if (unreadable_pin) return;
  for (const auto& [disk, t] : disks_) {
    if (!t.has_history) continue;
    auto oldest = std::find_if(points.begin(), points.end(),
                               [&disk = disk](const RecoveryPoint& p) { return p.seqs.count(disk) != 0; });
    if (oldest == points.end()) continue;
    uint64_t target = std::min(oldest->seqs.at(disk), t.durable_seq);
    if (auto pin = pins.find(disk); pin != pins.end()) target = std::min(target, pin->second);
    const HistoryPaths paths{server_dir_, disk};
    if (Status s = RollBaseForward(paths, target, oldest->time_ns); !s.ok()) {
      spdlog::error("history {}: roll-forward to {} failed: {}", disk, target, s.ToString());
    }
  }
}

void ServerHistory::ServePointRequestsLocked() {
  std::error_code ec;
  if (!fs::exists(PointRequestsDir(server_dir_), ec)) return;
  for (const PointRequest& request : PendingPointRequests(server_dir_)) {
    const uint64_t at = request.time_ns;
    RecoveryPoint point{"", at, RecoveryPointKindName(RecoveryPointKind::kManual), {}};
    std::string error;
    bool wait = false;
    for (const auto& [disk, t] : disks_) {
      if (!t.has_history) continue;
      if (!t.consistent || (t.durable_time <= at && t.quiet_time <= at)) {
        wait = true;  // not durable past T yet
        break;
      }
      const HistoryPaths paths{server_dir_, disk};
      Result<std::optional<DiskHistory>> history = LoadDiskHistory(paths.history());
      if (!history.ok() || !*history) {
        error = disk + ": no readable history: " + history.status().ToString();
        break;
      }
      if (at < (*history)->base_time_ns) {
        error = "time " + std::to_string(at) + " is before the window of " + disk + " (it starts at " +
                std::to_string((*history)->base_time_ns) + ")";
        break;
      }
      Result<uint64_t> seq = LoggedSeqAt(paths.cdp_dir(), (*history)->base_seq, t.durable_seq, at);
      if (!seq.ok()) {
        error = disk + ": " + seq.status().ToString();
        break;
      }
      for (const RepairEntry& r : (*history)->repairs) {
        // Records (X, R] were lost in an outage and their times are unknown: T after X may fall among them.
        if (*seq >= r.after_seq && (r.finished_seq == 0 || *seq < r.finished_seq)) {
          error = "time " + std::to_string(at) + " is inside a repair of " + disk;
        }
      }
      if (!error.empty()) break;
      point.seqs[disk] = *seq;
    }
    if (wait) continue;
    if (error.empty() && point.seqs.empty()) error = "no disk of this server has a history yet";
    if (!error.empty()) {
      FailPointRequest(request, error);
      continue;
    }
    Result<std::vector<RecoveryPoint>> points = LoadRecoveryPoints(PointsPath(server_dir_));
    if (!points.ok()) {
      spdlog::error("point request {} not served: {}", request.file.string(), points.status().ToString());
      continue;
    }
    point.id = request.id.empty() ? PointIdFor(at, *points) : request.id;
    if (std::any_of(points->begin(), points->end(),
                    [&](const RecoveryPoint& p) { return p.id == point.id; })) {
      FailPointRequest(request, "recovery point id " + point.id + " is taken");
      continue;
    }
    points->push_back(point);
    if (Status s = SaveRecoveryPoints(PointsPath(server_dir_), std::move(*points)); !s.ok()) {
      spdlog::error("point request {} not served: {}", request.file.string(), s.ToString());
      continue;
    }
    fs::remove(request.file, ec);
    spdlog::info("{}: manual recovery point {} taken", server_dir_.filename().string(), point.id);
  }
}

Status ServerHistory::DropDiskFromPointsLocked(const std::string& disk) {
  Result<std::vector<RecoveryPoint>> points = LoadRecoveryPoints(PointsPath(server_dir_));
  if (!points.ok()) return points.status();
  std::vector<RecoveryPoint> kept;
  bool changed = false;
  for (RecoveryPoint& p : *points) {
    changed |= p.seqs.erase(disk) != 0;
    if (!p.seqs.empty()) kept.push_back(std::move(p));
  }
  disks_[disk] = DiskTrack{};
  if (!changed) return Status::Ok();
  return SaveRecoveryPoints(PointsPath(server_dir_), std::move(kept));
}

}  // namespace cdr::shadow
