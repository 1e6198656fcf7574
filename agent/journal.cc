#include "agent/journal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>

#include <spdlog/spdlog.h>

#include "common/iovec_cursor.h"
#include "agent/internal/journal_format.h"
#include "agent/internal/segment_io.h"
#include "agent/io_status.h"

namespace cdr::agent {
namespace fs = std::filesystem;
using internal::kSegmentHeaderSize;

struct Journal::ActiveFile {
  explicit ActiveFile(int fd) : fd(fd) {}
  ~ActiveFile() { ::close(fd); }
  int fd;
};

namespace {

Status SyncDirectory(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open " + dir.string(), errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  return rc == 0 ? Status::Ok() : ErrnoStatus("fsync " + dir.string(), err);
}

bool PwritevFull(int fd, struct iovec* iov, int count, uint64_t pos) {
  while (count > 0) {
    ssize_t n = ::pwritev(fd, iov, count, static_cast<off_t>(pos));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    pos += static_cast<uint64_t>(n);
    AdvanceIovec(iov, count, static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

Result<std::unique_ptr<Journal>> Journal::Open(const fs::path& dir, JournalOptions options) {
  std::unique_ptr<Journal> journal(new Journal(dir, options));
  CDR_RETURN_IF_ERROR(journal->Recover());
  return journal;
}

Journal::~Journal() = default;

Status Journal::Recover() {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) return Internal("create " + dir_.string() + ": " + ec.message());
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    if (entry.path().extension() == ".tmp") fs::remove(entry.path(), ec);  // a segment creation cut short
  }
  std::lock_guard lock(mutex_);
  std::vector<internal::SegmentFile> segments = internal::ListSegments(dir_);
  if (segments.empty()) return CreateSegmentLocked(1);
  for (size_t i = 0; i + 1 < segments.size(); ++i) {
    const uint64_t bytes = fs::file_size(segments[i].path, ec);
    closed_.push_back({segments[i].first_seq, segments[i].path, bytes});
    total_bytes_ += bytes;
  }
  // Only the last segment can have a torn tail: earlier ones were synced before the next was created.
  const internal::SegmentFile& last = segments.back();
  int fd = ::open(last.path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open " + last.path.string(), errno);
  auto file = std::make_shared<ActiveFile>(fd);
  uint64_t first_seq = 0;
  // Segments appear by rename after their header is synced, so a bad header is media damage, not a crash.
  if (!internal::ReadSegmentHeader(fd, &first_seq) || first_seq != last.first_seq) {
    return DataLoss("journal segment " + last.path.string() + " has a damaged header");
  }
  uint64_t pos = kSegmentHeaderSize, seq = first_seq;
  std::vector<uint8_t> buffer;
  JournalRecord record;
  internal::ReadResult r;
  while ((r = internal::ReadRecordAt(fd, pos, seq, &buffer, &record)).outcome == internal::ReadOutcome::kRecord) {
    pos += internal::RecordDiskSize(record.kind, record.length);
    ++seq;
  }
  struct stat st {};
  ::fstat(fd, &st);
  if (static_cast<uint64_t>(st.st_size) > pos) {
    dropped_tail_bytes_ = static_cast<uint64_t>(st.st_size) - pos;
    spdlog::warn("journal {}: cutting {} bytes after seq {} at offset {} ({})", last.path.string(),
                 dropped_tail_bytes_, seq - 1, pos, r.detail);
    if (::ftruncate(fd, static_cast<off_t>(pos)) != 0 || ::fdatasync(fd) != 0) {
      return ErrnoStatus("truncate " + last.path.string(), errno);
    }
  }
  active_ = {first_seq, last.path, pos};
  active_file_ = std::move(file);
  total_bytes_ += pos;
  next_seq_ = seq;
  return Status::Ok();
}

// Written under a temporary name and renamed once the header is durable, so a listed segment always has one.
Status Journal::CreateSegmentLocked(uint64_t first_seq) {
  const fs::path path = dir_ / internal::SegmentFileName(first_seq);
  const fs::path tmp = path.string() + ".tmp";
  int fd = ::open(tmp.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoStatus("create " + tmp.string(), errno);
  auto file = std::make_shared<ActiveFile>(fd);
  uint8_t header[kSegmentHeaderSize];
  internal::EncodeSegmentHeader({first_seq, internal::NowRealtimeNs()}, header);
  if (::pwrite(fd, header, sizeof header, 0) != static_cast<ssize_t>(sizeof header) || ::fdatasync(fd) != 0 ||
      ::rename(tmp.c_str(), path.c_str()) != 0) {
    return ErrnoStatus("create " + path.string(), errno);
  }
  CDR_RETURN_IF_ERROR(SyncDirectory(dir_));
  active_ = {first_seq, path, kSegmentHeaderSize};
  active_file_ = std::move(file);
  total_bytes_ += kSegmentHeaderSize;
  return Status::Ok();
}

Result<uint64_t> Journal::Append(RecordKind kind, uint16_t flags, uint64_t offset, uint64_t length,
                                 std::span<const uint8_t> data) {
  JournalRecord record;
  record.kind = kind;
  record.flags = flags;
  record.offset = offset;
  record.length = length;
  // Hashing outside the lock keeps concurrent connections from serializing on it.
  record.checksum = kind == RecordKind::kWrite ? internal::DataChecksum(data.data(), data.size()) : 0;
  const uint64_t disk_size = internal::RecordDiskSize(kind, length);

  std::lock_guard lock(mutex_);
  if (broken_) return Internal("journal " + dir_.string() + " is broken after an I/O error");
  if (full_) return Unavailable("journal full");
  const bool rollover = active_.bytes > kSegmentHeaderSize && active_.bytes + disk_size > options_.segment_bytes;
  const uint64_t needed = disk_size + (rollover ? kSegmentHeaderSize : 0);
  if (total_bytes_ + needed > options_.max_bytes) {
    full_ = true;
    spdlog::warn("journal {}: full at seq {} ({} of {} bytes)", dir_.string(), next_seq_, total_bytes_,
                 options_.max_bytes);
    return Unavailable("journal full");
  }
  if (rollover) {
    // Closed segments are durable, so Sync() only ever has to care about the active one.
    if (::fdatasync(active_file_->fd) != 0) {
      broken_ = true;
      return ErrnoStatus("fdatasync " + active_.path.string(), errno);
    }
    closed_.push_back(active_);
    if (Status s = CreateSegmentLocked(next_seq_); !s.ok()) {
      broken_ = true;
      return s;
    }
  }
  record.seq = next_seq_;
  record.time_ns = internal::NowRealtimeNs();
  uint8_t header[internal::kRecordHeaderSize];
  internal::EncodeRecordHeader(record, header);
  struct iovec iov[2] = {{header, sizeof header}, {const_cast<uint8_t*>(data.data()), data.size()}};
  if (!PwritevFull(active_file_->fd, iov, data.empty() ? 1 : 2, active_.bytes)) {
    const int err = errno;
    // Cut the partial record so the segment stays readable up to the previous seq. The write itself is in
    // the backing store but not here: a hole, so no later record may follow until Reset().
    (void)::ftruncate(active_file_->fd, static_cast<off_t>(active_.bytes));
    broken_ = true;
    return ErrnoStatus("append to " + active_.path.string(), err);
  }
  active_.bytes += disk_size;
  total_bytes_ += disk_size;
  return next_seq_++;
}

Status Journal::Sync() {
  return sync_.Run([this] {
    std::shared_ptr<ActiveFile> file;
    {
      std::lock_guard lock(mutex_);
      file = active_file_;
    }
    if (file == nullptr) return Internal("journal " + dir_.string() + " has no open segment");
    // Outside the lock: appends from other connections go on while this one waits for the disk.
    if (::fdatasync(file->fd) != 0) return ErrnoStatus("fdatasync journal " + dir_.string(), errno);
    return Status::Ok();
  });
}

Status Journal::ReleaseUpTo(uint64_t seq) {
  std::lock_guard lock(mutex_);
  while (!closed_.empty()) {
    const uint64_t next_first = closed_.size() > 1 ? closed_[1].first_seq : active_.first_seq;
    if (next_first - 1 > seq) break;
    if (::unlink(closed_.front().path.c_str()) != 0 && errno != ENOENT) {
      return ErrnoStatus("unlink " + closed_.front().path.string(), errno);
    }
    total_bytes_ -= closed_.front().bytes;
    closed_.pop_front();
  }
  return Status::Ok();
}

Status Journal::Reset() {
  std::lock_guard lock(mutex_);
  for (const auto& s : closed_) ::unlink(s.path.c_str());
  ::unlink(active_.path.c_str());
  closed_.clear();
  active_file_.reset();
  total_bytes_ = 0;
  full_ = false;
  Status s = CreateSegmentLocked(next_seq_);
  broken_ = !s.ok();
  return s;
}

uint64_t Journal::first_seq() const {
  std::lock_guard lock(mutex_);
  return closed_.empty() ? active_.first_seq : closed_.front().first_seq;
}
uint64_t Journal::next_seq() const {
  std::lock_guard lock(mutex_);
  return next_seq_;
}
uint64_t Journal::total_bytes() const {
  std::lock_guard lock(mutex_);
  return total_bytes_;
}
bool Journal::full() const {
  std::lock_guard lock(mutex_);
  return full_;
}
bool Journal::broken() const {
  std::lock_guard lock(mutex_);
  return broken_;
}

}  // namespace cdr::agent
