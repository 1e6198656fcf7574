#include "shadow/cdp_log.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "journal/format.h"
#include "journal/record_io.h"
#include "journal/segment_files.h"
#include "journal/segment_scan.h"

namespace cdr::shadow {
namespace fs = std::filesystem;
namespace {

Status Errno(const std::string& what) { return Internal(what + ": " + std::strerror(errno)); }

constexpr size_t kPendingRecords = 64;
constexpr size_t kPendingBytes = 1 << 20;

}  // namespace

Result<std::unique_ptr<CdpLog>> CdpLog::Open(const fs::path& dir, uint64_t segment_bytes) {
  std::unique_ptr<CdpLog> log(new CdpLog(dir, segment_bytes));
  CDR_RETURN_IF_ERROR(log->Recover());
  return log;
}

CdpLog::~CdpLog() {
  if (fd_ < 0) return;
  if (Status s = WritePending(); !s.ok()) spdlog::warn("cdp log {}: {}", dir_.string(), s.ToString());
  ::close(fd_);
}

// Finds the newest segment and the end of its last valid record; a torn tail (kill -9 mid-append) is cut.
Status CdpLog::Recover() {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) return Internal("create " + dir_.string() + ": " + ec.message());
  journal::RemoveUnfinishedSegments(dir_);
  const std::vector<journal::SegmentFile> segments = journal::ListSegments(dir_);
  if (segments.empty()) return Status::Ok();  // empty: the first Append creates a segment at its seq
  const journal::SegmentFile& newest = segments.back();
  fd_ = ::open(newest.path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd_ < 0) return Errno("open " + newest.path.string());
  Result<journal::ScanResult> scan =
      journal::ScanSegment(fd_, newest.path, newest.first_seq, {journal::TailPolicy::kCutDamaged, true});
  if (!scan.ok()) return scan.status();
  if (scan->tail_bytes > 0) {
    spdlog::warn("cdp log {}: cut {} bytes after seq {}: {}", newest.path.string(), scan->tail_bytes,
                 scan->next_seq - 1, scan->tail_detail);
  }
  segment_size_ = scan->end_pos;
  next_seq_ = scan->next_seq;
  last_time_ns_ = scan->last_time_ns;
  return Status::Ok();
}

Status CdpLog::CreateSegment(uint64_t first_seq) {
  if (fd_ >= 0) {
    CDR_RETURN_IF_ERROR(WritePending());
    if (::fdatasync(fd_) != 0) return Errno("fdatasync cdp segment");
    ::close(fd_);
    fd_ = -1;
  }
  Result<int> fd = journal::CreateSegment(dir_, first_seq);
  if (!fd.ok()) return fd.status();
  fd_ = *fd;
  segment_size_ = journal::kSegmentHeaderSize;
  next_seq_ = first_seq;
  return Status::Ok();
}

Status CdpLog::Append(const journal::Record& r) {
  if (fd_ >= 0 && r.seq < next_seq_) return Status::Ok();  // already logged before a crash or reconnect
  const uint64_t size = journal::RecordDiskSize(r.kind, r.length);
  const uint64_t end = segment_size_ + pending_disk_bytes_;
  if (fd_ < 0 || r.seq > next_seq_ || (end > journal::kSegmentHeaderSize && end + size > segment_bytes_)) {
    CDR_RETURN_IF_ERROR(CreateSegment(r.seq));
  }
  if (pending_data_.size() + r.data.size() > kPendingBytes) CDR_RETURN_IF_ERROR(WritePending());
  pending_.push_back(r);
  pending_at_.push_back(pending_data_.size());  // the span is set when written: pending_data_ may move
  pending_data_.insert(pending_data_.end(), r.data.begin(), r.data.end());
  pending_disk_bytes_ += size;
  next_seq_ = r.seq + 1;
  last_time_ns_ = r.time_ns;
  return pending_.size() >= kPendingRecords ? WritePending() : Status::Ok();
}

Status CdpLog::WritePending() {
  if (pending_.empty()) return Status::Ok();
  for (size_t i = 0; i < pending_.size(); ++i) {
    pending_[i].data =
        std::span<const uint8_t>(pending_data_.data() + pending_at_[i], pending_[i].data.size());
  }
  const bool written = journal::AppendRecords(fd_, segment_size_, pending_);
  Status s = written ? Status::Ok() : Errno("append to cdp log " + dir_.string());
  if (written) {
    segment_size_ += pending_disk_bytes_;
  } else {
    (void)::ftruncate(fd_, static_cast<off_t>(segment_size_));
    next_seq_ = pending_.front().seq;  // the records not written are not logged
  }
  pending_.clear();
  pending_at_.clear();
  pending_data_.clear();
  pending_disk_bytes_ = 0;
  return s;
}

Status CdpLog::Sync() {
  if (fd_ < 0) return Status::Ok();
  CDR_RETURN_IF_ERROR(WritePending());
  if (::fdatasync(fd_) != 0) return Errno("fdatasync cdp log " + dir_.string());
  return Status::Ok();
}

}  // namespace cdr::shadow
