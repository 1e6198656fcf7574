#include "agent/journal.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include <spdlog/spdlog.h>

#include "agent/io_status.h"
#include "common/clock.h"
#include "journal/format.h"
#include "journal/record_io.h"
#include "journal/segment_files.h"
#include "journal/segment_scan.h"

namespace cdr::agent {
namespace fs = std::filesystem;
using journal::kSegmentHeaderSize;

struct Journal::ActiveFile {
  explicit ActiveFile(int fd) : fd(fd) {}
  ~ActiveFile() { ::close(fd); }
  int fd;
};

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
  journal::RemoveUnfinishedSegments(dir_);
  std::lock_guard lock(mutex_);
  std::vector<journal::SegmentFile> segments = journal::ListSegments(dir_);
  if (segments.empty()) return CreateSegmentLocked(1);
  for (size_t i = 0; i + 1 < segments.size(); ++i) {
    const uint64_t bytes = fs::file_size(segments[i].path, ec);
    closed_.push_back({segments[i].first_seq, segments[i].path, bytes});
    total_bytes_ += bytes;
  }
  // Only the last segment can have a torn tail: earlier ones were synced before the next was created.
  const journal::SegmentFile& last = segments.back();
  int fd = ::open(last.path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open " + last.path.string(), errno);
  auto file = std::make_shared<ActiveFile>(fd);
  Result<journal::ScanResult> scan =
      journal::ScanSegment(fd, last.path, last.first_seq, {journal::TailPolicy::kCutDamaged, true});
  if (!scan.ok()) return scan.status();
  if (scan->tail_bytes > 0) {
    dropped_tail_bytes_ = scan->tail_bytes;
    spdlog::warn("journal {}: cut {} bytes after seq {}: {}", last.path.string(), scan->tail_bytes,
                 scan->next_seq - 1, scan->tail_detail);
  }
  active_ = {last.first_seq, last.path, scan->end_pos};
  active_file_ = std::move(file);
  total_bytes_ += scan->end_pos;
  next_seq_ = scan->next_seq;
  return Status::Ok();
}

// Written under a temporary name and renamed once the header is durable, so a listed segment always has one.
Status Journal::CreateSegmentLocked(uint64_t first_seq) {
  Result<int> fd = journal::CreateSegment(dir_, first_seq);
  if (!fd.ok()) return fd.status();
  active_ = {first_seq, dir_ / journal::SegmentFileName(first_seq), kSegmentHeaderSize};
  active_file_ = std::make_shared<ActiveFile>(*fd);
  total_bytes_ += kSegmentHeaderSize;
  return Status::Ok();
}

Result<uint64_t> Journal::Append(journal::RecordKind kind, uint16_t flags, uint64_t offset, uint64_t length,
                                 std::span<const uint8_t> data) {
  journal::Record record;
  record.kind = kind;
  record.flags = flags;
  record.offset = offset;
  record.length = length;
  // Hashing outside the lock keeps concurrent connections from serializing on it.
  record.checksum = kind == journal::RecordKind::kWrite ? journal::DataChecksum(data.data(), data.size()) : 0;
  // The memory tail's copy is made outside the lock too.
  auto tail = std::make_shared<TailRecord>(TailRecord{record, std::vector<uint8_t>(data.begin(), data.end())});
  Result<uint64_t> seq = [&] {
    std::lock_guard lock(mutex_);
    return AppendLocked(record, data, std::move(tail));
  }();
  NotifyListeners(seq);
  return seq;
}

Result<uint64_t> Journal::AppendLocked(const journal::Record& header, std::span<const uint8_t> data,
                                       std::shared_ptr<TailRecord> tail) {
  journal::Record record = header;
  const uint64_t disk_size = journal::RecordDiskSize(record.kind, record.length);
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
  record.time_ns = static_cast<uint64_t>(NowUnixNanos());
  if (!journal::AppendRecord(active_file_->fd, active_.bytes, record, data)) {
    const int err = errno;
    // Cut the partial record so the segment stays readable up to the previous seq. The write itself is in
    // the backing store but not here: a hole, so no later record may follow until Reset().
    (void)::ftruncate(active_file_->fd, static_cast<off_t>(active_.bytes));
    broken_ = true;
    return ErrnoStatus("append to " + active_.path.string(), err);
  }
  active_.bytes += disk_size;
  total_bytes_ += disk_size;
  tail->record = record;
  tail->record.data = tail->data;
  tail_data_bytes_ += tail->data.size();
  tail_.push_back(std::move(tail));
  while (tail_.size() > 1 && tail_data_bytes_ > options_.tail_bytes) {
    tail_data_bytes_ -= tail_.front()->data.size();
    tail_.pop_front();
  }
  return next_seq_++;
}

uint64_t Journal::AddAppendListener(AppendListener listener) {
  std::unique_lock lock(listeners_mutex_);
  listeners_.emplace(next_listener_id_, std::move(listener));
  return next_listener_id_++;
}

void Journal::RemoveAppendListener(uint64_t id) {
  std::unique_lock lock(listeners_mutex_);
  listeners_.erase(id);
}

void Journal::NotifyListeners(const Result<uint64_t>& appended) {
  std::shared_lock lock(listeners_mutex_);
  for (const auto& [id, listener] : listeners_) listener(appended);
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

bool Journal::ReadTail(uint64_t from_seq, uint64_t up_to_seq, size_t max_records,
                       std::vector<std::shared_ptr<const TailRecord>>* out) const {
  std::lock_guard lock(mutex_);
  if (tail_.empty()) return from_seq >= next_seq_;
  const uint64_t first = tail_.front()->record.seq;
  if (from_seq < first) return false;
  for (uint64_t seq = from_seq; seq <= up_to_seq && seq < next_seq_ && max_records > 0; ++seq, --max_records) {
    out->push_back(tail_[seq - first]);
  }
  return true;
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

Status Journal::Reset(uint64_t min_next_seq) {
  std::lock_guard lock(mutex_);
  next_seq_ = std::max(next_seq_, min_next_seq);
  for (const auto& s : closed_) ::unlink(s.path.c_str());
  ::unlink(active_.path.c_str());
  closed_.clear();
  active_file_.reset();
  tail_.clear();
  tail_data_bytes_ = 0;
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
void Journal::set_max_bytes(uint64_t max_bytes) {
  std::lock_guard lock(mutex_);
  options_.max_bytes = max_bytes;
}
uint64_t Journal::max_bytes() const {
  std::lock_guard lock(mutex_);
  return options_.max_bytes;
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
