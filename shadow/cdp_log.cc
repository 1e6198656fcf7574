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

}  // namespace

Result<std::unique_ptr<CdpLog>> CdpLog::Open(const fs::path& dir, uint64_t segment_bytes) {
  std::unique_ptr<CdpLog> log(new CdpLog(dir, segment_bytes));
  CDR_RETURN_IF_ERROR(log->Recover());
  return log;
}

CdpLog::~CdpLog() {
  if (fd_ >= 0) ::close(fd_);
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
  if (fd_ < 0 || r.seq > next_seq_ ||
      (segment_size_ > journal::kSegmentHeaderSize && segment_size_ + size > segment_bytes_)) {
    CDR_RETURN_IF_ERROR(CreateSegment(r.seq));
  }
  if (!journal::AppendRecord(fd_, segment_size_, r, r.data)) {
    Status s = Errno("append to cdp log " + dir_.string());
    (void)::ftruncate(fd_, static_cast<off_t>(segment_size_));
    return s;
  }
  segment_size_ += size;
  next_seq_ = r.seq + 1;
  last_time_ns_ = r.time_ns;
  return Status::Ok();
}

Status CdpLog::Sync() {
  if (fd_ >= 0 && ::fdatasync(fd_) != 0) return Errno("fdatasync cdp log " + dir_.string());
  return Status::Ok();
}

}  // namespace cdr::shadow
