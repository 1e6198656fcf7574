#include "shadow/cdp_log.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "agent/internal/journal_format.h"
#include "agent/internal/segment_io.h"

namespace cdr::shadow {
namespace fs = std::filesystem;
namespace {

// The agent's journal format and its readers, so the CDP log and the agent journal cannot drift apart.
using agent::internal::kRecordHeaderSize;
using agent::internal::kSegmentHeaderSize;

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
  for (const auto& e : fs::directory_iterator(dir_, ec)) {
    if (e.path().extension() == ".tmp") fs::remove(e.path(), ec);  // a segment never finished being created
  }
  const std::vector<agent::internal::SegmentFile> segments = agent::internal::ListSegments(dir_);
  if (segments.empty()) return Status::Ok();  // empty: the first Append creates a segment at its seq
  const uint64_t newest = segments.back().first_seq;
  const fs::path path = segments.back().path;
  fd_ = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd_ < 0) return Errno("open " + path.string());
  uint64_t header_seq = 0;
  if (!agent::internal::ReadSegmentHeader(fd_, &header_seq) || header_seq != newest) {
    return DataLoss("CDP segment " + path.string() + " has a damaged header");
  }
  uint64_t pos = kSegmentHeaderSize, seq = newest;
  std::vector<uint8_t> buffer;
  agent::JournalRecord record;
  while (agent::internal::ReadRecordAt(fd_, pos, seq, &buffer, &record).outcome ==
         agent::internal::ReadOutcome::kRecord) {
    pos += agent::internal::RecordDiskSize(record.kind, record.length);
    last_time_ns_ = record.time_ns;
    ++seq;
  }
  struct stat st {};
  ::fstat(fd_, &st);
  if (static_cast<uint64_t>(st.st_size) > pos) {
    spdlog::warn("cdp log {}: cutting {} bytes after seq {}", path.string(), st.st_size - pos, seq - 1);
    if (::ftruncate(fd_, static_cast<off_t>(pos)) != 0) return Errno("truncate " + path.string());
  }
  segment_size_ = pos;
  next_seq_ = seq;
  return Status::Ok();
}

Status CdpLog::CreateSegment(uint64_t first_seq) {
  if (fd_ >= 0) {
    if (::fdatasync(fd_) != 0) return Errno("fdatasync cdp segment");
    ::close(fd_);
    fd_ = -1;
  }
  const fs::path path = dir_ / agent::internal::SegmentFileName(first_seq);
  const std::string tmp = path.string() + ".tmp";
  int fd = ::open(tmp.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("create " + tmp);
  uint8_t h[kSegmentHeaderSize] = {};
  agent::internal::EncodeSegmentHeader({first_seq, agent::internal::NowRealtimeNs()}, h);
  if (::pwrite(fd, h, sizeof h, 0) != static_cast<ssize_t>(sizeof h) || ::fdatasync(fd) != 0 ||
      ::rename(tmp.c_str(), path.c_str()) != 0) {
    Status s = Errno("create " + path.string());
    ::close(fd);
    return s;
  }
  int dfd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) ::fsync(dfd), ::close(dfd);
  fd_ = fd;
  segment_size_ = kSegmentHeaderSize;
  next_seq_ = first_seq;
  return Status::Ok();
}

Status CdpLog::Append(const CdpRecord& r) {
  if (fd_ >= 0 && r.seq < next_seq_) return Status::Ok();  // already logged before a crash or reconnect
  const uint64_t size = kRecordHeaderSize + r.data.size();
  if (fd_ < 0 || r.seq > next_seq_ ||
      (segment_size_ > kSegmentHeaderSize && segment_size_ + size > segment_bytes_)) {
    CDR_RETURN_IF_ERROR(CreateSegment(r.seq));
  }
  uint8_t h[kRecordHeaderSize] = {};
  agent::JournalRecord header;
  header.kind = static_cast<agent::RecordKind>(r.kind);
  header.flags = r.flags;
  header.seq = r.seq;
  header.time_ns = r.time_ns;
  header.offset = r.offset;
  header.length = r.length;
  header.checksum = r.checksum;
  agent::internal::EncodeRecordHeader(header, h);
  struct iovec iov[2] = {{h, sizeof h}, {const_cast<uint8_t*>(r.data.data()), r.data.size()}};
  const ssize_t want = static_cast<ssize_t>(size);
  ssize_t n;
  do {
    n = ::pwritev(fd_, iov, r.data.empty() ? 1 : 2, static_cast<off_t>(segment_size_));
  } while (n < 0 && errno == EINTR);
  if (n != want) {
    (void)::ftruncate(fd_, static_cast<off_t>(segment_size_));
    return Errno("append to cdp log " + dir_.string());
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
