#include "recovery/disk_log.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "journal/segment_files.h"
#include "journal/segment_scan.h"

namespace cdr::recovery {
namespace fs = std::filesystem;
namespace {

// Appends the record headers of one segment to *out. `tolerate_torn_tail`: the newest segment of a log the
// shadow may still be appending to, where a record cut short is an append under way.
Status IndexSegment(int fd, const journal::SegmentFile& segment, uint32_t file_index, bool tolerate_torn_tail,
                    std::vector<RecordRef>* out) {
  const journal::ScanOptions options{
      tolerate_torn_tail ? journal::TailPolicy::kStopAtTorn : journal::TailPolicy::kStrict, false};
  Result<journal::ScanResult> scan =
      journal::ScanSegment(fd, segment.path, segment.first_seq, options, [&](const journal::Record& r, uint64_t at) {
        out->push_back(RecordRef{r.seq, r.time_ns, r.offset, r.length, r.kind, file_index, at});
      });
  return scan.status();
}

std::string Seq(uint64_t seq) { return std::to_string(seq); }

}  // namespace

DiskLog::~DiskLog() {
  if (base_fd_ >= 0) ::close(base_fd_);
  for (const auto& f : files_) ::close(f.fd);
}

Result<uint32_t> DiskLog::OpenTracked(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NotFound("open " + path.string() + ": " + std::strerror(errno));
  files_.push_back({fd, path});
  return static_cast<uint32_t>(files_.size() - 1);
}

Result<std::unique_ptr<DiskLog>> DiskLog::Open(const fs::path& server_dir, const std::string& disk) {
  std::unique_ptr<DiskLog> log(new DiskLog(disk));
  Result<DiskHistory> history = ReadDiskHistory(HistoryPath(server_dir, disk));
  if (!history.ok()) return history.status();
  log->history_ = std::move(*history);
  const fs::path base = BaseImagePath(server_dir, disk);
  log->base_fd_ = ::open(base.c_str(), O_RDONLY | O_CLOEXEC);
  if (log->base_fd_ < 0) {
    return DataLoss(HistoryPath(server_dir, disk).string() + " exists but its base image " + base.string() +
                    " cannot be opened: " + std::strerror(errno));
  }
  CDR_RETURN_IF_ERROR(log->LoadLog(CdpLogDir(server_dir, disk)));
  CDR_RETURN_IF_ERROR(log->LoadRepairs(server_dir));
  log->ComputeNewest();
  return log;
}

Status DiskLog::LoadLog(const fs::path& dir) {
  const uint64_t base_seq = history_.base_seq;
  const std::vector<journal::SegmentFile> segments = journal::ListSegments(dir);
  std::vector<RecordRef> scanned;
  for (size_t i = 0; i < segments.size(); ++i) {
    // Every record of a segment lies below the next segment's first seq: wholly at or before the base, skip
    // it.
    if (i + 1 < segments.size() && segments[i + 1].first_seq <= base_seq + 1) continue;
    Result<uint32_t> file = OpenTracked(segments[i].path);
    if (!file.ok()) return file.status();
    CDR_RETURN_IF_ERROR(IndexSegment(files_[*file].fd, segments[i], *file,
                                     /*tolerate_torn_tail=*/i + 1 == segments.size(), &scanned));
  }
  // A seq gap is legal only where a repair explains it (the agent never sends (X, R]); past an unexplained
  // gap nothing is consistent, so the history ends before it.
  uint64_t previous = base_seq;
  for (const RecordRef& r : scanned) {
    if (r.seq <= base_seq) continue;
    if (r.seq != previous + 1) {
      const auto explains = [&](const RepairEntry& e) {
        return e.after_seq == previous && (!e.finished() || e.finished_seq + 1 == r.seq);
      };
      if (std::none_of(history_.repairs.begin(), history_.repairs.end(), explains)) {
        spdlog::warn("{}: the log jumps from seq {} to {} with no repair to explain it; history ends at {}",
                     dir.string(), previous, r.seq, previous);
        break;
      }
    }
    records_.push_back(r);
    previous = r.seq;
  }
  return Status::Ok();
}

Status DiskLog::LoadRepairs(const fs::path& server_dir) {
  for (const RepairEntry& entry : history_.repairs) {
    if (entry.finished() && entry.finished_seq <= history_.base_seq) continue;  // already in the base
    if (entry.after_seq < history_.base_seq) {
      return DataLoss(HistoryPath(server_dir, disk_).string() + ": base_seq " + Seq(history_.base_seq) +
                      " lies inside the repair after seq " + Seq(entry.after_seq));
    }
    RepairLog repair{entry, {}};
    const std::vector<journal::SegmentFile> segments = journal::ListSegments(server_dir / entry.dir);
    if (segments.empty() && entry.finished()) {
      return DataLoss("repair log " + (server_dir / entry.dir).string() +
                      " of a finished repair has no segment");
    }
    for (size_t i = 0; i < segments.size(); ++i) {
      Result<uint32_t> file = OpenTracked(segments[i].path);
      if (!file.ok()) return file.status();
      // A running repair is still appending; a finished one must be whole.
      const bool tolerate = !entry.finished() && i + 1 == segments.size();
      CDR_RETURN_IF_ERROR(IndexSegment(files_[*file].fd, segments[i], *file, tolerate, &repair.records));
    }
    repairs_.push_back(std::move(repair));
  }
  return Status::Ok();
}

void DiskLog::ComputeNewest() {
  newest_seq_ = history_.base_seq;
  if (!records_.empty()) newest_seq_ = records_.back().seq;
  for (const RepairLog& r : repairs_) {
    if (r.entry.finished() && r.entry.after_seq <= newest_seq_)
      newest_seq_ = std::max(newest_seq_, r.entry.finished_seq);
  }
  // Nothing past a running repair's X is consistent yet.
  for (const RepairLog& r : repairs_) {
    if (!r.entry.finished()) newest_seq_ = std::min(newest_seq_, r.entry.after_seq);
  }
  newest_time_ns_ = history_.base_time_ns;
  for (const RecordRef& r : records_) {
    if (r.seq <= newest_seq_) newest_time_ns_ = std::max(newest_time_ns_, r.time_ns);
  }
  for (const RepairLog& r : repairs_) {
    if (!r.entry.finished() || r.entry.finished_seq > newest_seq_) continue;
    for (const RecordRef& rec : r.records) newest_time_ns_ = std::max(newest_time_ns_, rec.time_ns);
  }
}

Status DiskLog::CheckConsistent(uint64_t seq) const {
  if (seq < history_.base_seq) {
    return FailedPrecondition("seq " + Seq(seq) + " of disk " + disk_ +
                              " is before its oldest restorable seq " + Seq(history_.base_seq) +
                              " (the history was pruned past it)");
  }
  for (const RepairLog& r : repairs_) {
    if (r.entry.after_seq < seq && (!r.entry.finished() || seq < r.entry.finished_seq)) {
      return FailedPrecondition("seq " + Seq(seq) + " of disk " + disk_ + " is inside a repair (after seq " +
                                Seq(r.entry.after_seq) + ", " +
                                (r.entry.finished() ? "finished at seq " + Seq(r.entry.finished_seq)
                                                    : std::string("still running")) +
                                "): not a consistent point");
    }
  }
  if (seq > newest_seq_) {
    return FailedPrecondition("seq " + Seq(seq) + " of disk " + disk_ + " is past its newest durable seq " +
                              Seq(newest_seq_));
  }
  return Status::Ok();
}

Result<uint64_t> DiskLog::SeqAtTime(uint64_t time_ns) const {
  if (time_ns < history_.base_time_ns) {
    return FailedPrecondition("time " + std::to_string(time_ns) + " ns is before the window of disk " +
                              disk_ + ", which starts at " + std::to_string(history_.base_time_ns) + " ns");
  }
  uint64_t seq = history_.base_seq;
  for (const RecordRef& r : records_) {
    if (r.time_ns <= time_ns && r.seq <= newest_seq_) seq = std::max(seq, r.seq);
  }
  // The log has nothing in (X, R]: a time after record X falls before, inside or after the repair's writes.
  for (const RepairLog& r : repairs_) {
    if (r.entry.after_seq != seq) continue;
    const size_t written = static_cast<size_t>(std::count_if(
        r.records.begin(), r.records.end(), [&](const RecordRef& rec) { return rec.time_ns <= time_ns; }));
    if (written == 0) return seq;
    if (r.entry.finished() && written == r.records.size()) return r.entry.finished_seq;
    return FailedPrecondition("time " + std::to_string(time_ns) + " ns is inside a repair of disk " + disk_ +
                              " (after seq " + Seq(r.entry.after_seq) + "): " + std::to_string(written) +
                              " of " + std::to_string(r.records.size()) + " repair writes were done by then");
  }
  return seq;
}

uint64_t DiskLog::BytesChanged(uint64_t from_seq, uint64_t to_seq) const {
  uint64_t bytes = 0;
  for (const RecordRef& r : records_) {
    if (r.seq > from_seq && r.seq <= to_seq) bytes += r.length;
  }
  for (const RepairLog& r : repairs_) {
    if (!r.entry.finished() || r.entry.after_seq < from_seq || r.entry.finished_seq > to_seq) continue;
    if (r.entry.finished_seq <= from_seq) continue;
    for (const RecordRef& rec : r.records) bytes += rec.length;
  }
  return bytes;
}

}  // namespace cdr::recovery
