#include "recovery/history_reader.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/rfc3339.h"

namespace cdr::recovery {
namespace fs = std::filesystem;

nlohmann::json ResolvedPointToJson(const ResolvedPoint& point) {
  nlohmann::json seqs = nlohmann::json::object();
  for (const auto& [disk, seq] : point.seqs) seqs[disk] = seq;
  return {{"id", point.id ? nlohmann::json(*point.id) : nlohmann::json(nullptr)},
          {"time_ns", point.time_ns},
          {"seqs", seqs}};
}

Result<ResolvedPoint> ResolvedPointFromJson(const nlohmann::json& doc, const std::string& where) {
  ResolvedPoint point;
  if (!doc.is_object()) return DataLoss(where + ": not a JSON object");
  if (auto id = doc.find("id"); id != doc.end() && id->is_string()) point.id = id->get<std::string>();
  auto time = doc.find("time_ns");
  if (time == doc.end() || !time->is_number_unsigned()) {
    return DataLoss(where + ": field \"time_ns\" must be an unsigned integer");
  }
  point.time_ns = time->get<uint64_t>();
  auto seqs = doc.find("seqs");
  if (seqs == doc.end() || !seqs->is_object()) return DataLoss(where + ": field \"seqs\" must be an object");
  for (const auto& [disk, seq] : seqs->items()) {
    if (!seq.is_number_unsigned()) return DataLoss(where + ": seqs." + disk + " must be an unsigned integer");
    point.seqs[disk] = seq.get<uint64_t>();
  }
  return point;
}

Result<std::unique_ptr<HistoryReader>> HistoryReader::Open(const fs::path& server_dir) {
  std::error_code ec;
  if (!fs::is_directory(server_dir, ec))
    return NotFound("server directory " + server_dir.string() + " not found");
  const fs::path lock_path = HistoryLockPath(server_dir);
  int lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd < 0) return Internal("open " + lock_path.string() + ": " + std::strerror(errno));
  std::unique_ptr<HistoryReader> reader(new HistoryReader(server_dir, lock_fd));
  // Blocks only while cdr-shadow rolls the base forward or prunes, which it does under LOCK_EX.
  while (::flock(lock_fd, LOCK_SH) != 0) {
    if (errno != EINTR) return Internal("flock " + lock_path.string() + ": " + std::strerror(errno));
  }
  const std::vector<std::string> names = DisksWithHistory(server_dir);
  if (names.empty()) {
    return FailedPrecondition(
        "server directory " + server_dir.string() +
        " has no disk with recovery history (no <disk>.history.json: no base taken yet, "
        "or no recovery-point policy)");
  }
  for (const std::string& name : names) {
    Result<std::unique_ptr<DiskLog>> log = DiskLog::Open(server_dir, name);
    if (!log.ok()) return log.status();
    reader->disks_[name] = std::shared_ptr<const DiskLog>(std::move(*log));
  }
  Result<std::vector<RecoveryPoint>> points = ReadRecoveryPoints(RecoveryPointsPath(server_dir));
  if (!points.ok()) return points.status();
  reader->points_ = std::move(*points);
  return reader;
}

HistoryReader::~HistoryReader() {
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

void HistoryReader::Unlock() {
  if (lock_fd_ < 0) return;
  ::close(lock_fd_);  // closing the only descriptor of the open file description releases the flock
  lock_fd_ = -1;
}

std::vector<std::string> HistoryReader::disks() const {
  std::vector<std::string> out;
  for (const auto& [name, log] : disks_) out.push_back(name);
  return out;
}

std::shared_ptr<const DiskLog> HistoryReader::disk(const std::string& name) const {
  auto it = disks_.find(name);
  return it == disks_.end() ? nullptr : it->second;
}

std::vector<DiskWindow> HistoryReader::Windows() const {
  std::vector<DiskWindow> out;
  for (const auto& [name, log] : disks_) {
    out.push_back({name, log->history().base_time_ns, log->newest_time_ns(), log->history().base_seq,
                   log->newest_seq()});
  }
  return out;
}

std::vector<PointSummary> HistoryReader::Points() const {
  std::vector<PointSummary> out;
  const RecoveryPoint* previous = nullptr;
  for (const RecoveryPoint& point : points_) {
    PointSummary summary{point, 0};
    for (const auto& [disk, seq] : point.seqs) {
      auto log = disks_.find(disk);
      if (log == disks_.end()) continue;
      uint64_t from = log->second->history().base_seq;
      if (previous != nullptr) {
        if (auto it = previous->seqs.find(disk); it != previous->seqs.end())
          from = std::max(from, it->second);
      }
      summary.bytes += log->second->BytesChanged(from, seq);
    }
    out.push_back(std::move(summary));
    previous = &point;
  }
  return out;
}

Status HistoryReader::Check(const ResolvedPoint& point) const {
  for (const auto& [name, log] : disks_) {
    auto it = point.seqs.find(name);
    if (it == point.seqs.end()) {
      return FailedPrecondition("the point" + (point.id ? " " + *point.id : std::string()) +
                                " has no seq for disk " + name);
    }
    CDR_RETURN_IF_ERROR(log->CheckConsistent(it->second));
  }
  return Status::Ok();
}

Result<ResolvedPoint> HistoryReader::Resolve(const std::string& choice) const {
  ResolvedPoint point;
  if (choice == "latest") {
    for (const auto& [name, log] : disks_) {
      point.seqs[name] = log->newest_seq();
      point.time_ns = std::max(point.time_ns, log->newest_time_ns());
    }
  } else if (choice.rfind("rp-", 0) != 0) {  // not a point id: a time
    int64_t parsed = 0;
    std::string problem;
    if (!ParseRfc3339(choice, &parsed, &problem)) {
      return InvalidArgument("\"" + choice + "\" " + problem + " (or give latest, or a recovery point id rp-…)");
    }
    const uint64_t time = static_cast<uint64_t>(parsed);
    point.time_ns = time;
    for (const auto& [name, log] : disks_) {
      Result<uint64_t> seq = log->SeqAtTime(time);
      if (!seq.ok()) return Status(seq.status().code(), choice + ": " + seq.status().message());
      point.seqs[name] = *seq;
    }
  } else {
    auto it =
        std::find_if(points_.begin(), points_.end(), [&](const RecoveryPoint& p) { return p.id == choice; });
    if (it == points_.end()) {
      std::string known;
      for (const RecoveryPoint& p : points_) known += (known.empty() ? "" : ", ") + p.id;
      return NotFound(
          "recovery point \"" + choice + "\" is neither latest, an RFC 3339 time nor a point of " +
          RecoveryPointsPath(server_dir_).string() + " (known: " + (known.empty() ? "none" : known) + ")");
    }
    point.id = it->id;
    point.time_ns = it->time_ns;
    point.seqs = it->seqs;
  }
  CDR_RETURN_IF_ERROR(Check(point));
  return point;
}

Status HistoryReader::Pin(const std::string& pin_name, const ResolvedPoint& point) {
  CDR_RETURN_IF_ERROR(WritePin(server_dir_, pin_name, point.seqs));
  Unlock();
  return Status::Ok();
}

}  // namespace cdr::recovery
