#include "shadow/history_image.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "journal/segment_files.h"
#include "journal/reader.h"

namespace cdr::shadow {
namespace fs = std::filesystem;
namespace {

Status Errno(const std::string& what) { return Internal(what + ": " + std::strerror(errno)); }

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

Status CopyRange(int in, int out, uint64_t offset, uint64_t length) {
  loff_t in_off = static_cast<loff_t>(offset), out_off = static_cast<loff_t>(offset);
  while (length > 0) {
    ssize_t n = ::copy_file_range(in, &in_off, out, &out_off, length, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EOPNOTSUPP)) {
      // Another filesystem or an old kernel: a plain copy of the same range.
      std::vector<uint8_t> buffer(std::min<uint64_t>(length, 4 << 20));
      while (length > 0) {
        const size_t chunk = std::min<uint64_t>(length, buffer.size());
        ssize_t r = ::pread(in, buffer.data(), chunk, in_off);
        if (r <= 0) return Errno("read for the base copy");
        if (::pwrite(out, buffer.data(), static_cast<size_t>(r), out_off) != r)
          return Errno("write base copy");
        in_off += r, out_off += r, length -= static_cast<uint64_t>(r);
      }
      return Status::Ok();
    }
    if (n <= 0) return Errno("copy_file_range for the base copy");
    length -= static_cast<uint64_t>(n);
  }
  return Status::Ok();
}

Status WriteAll(int fd, uint64_t offset, const uint8_t* data, uint64_t length) {
  while (length > 0) {
    ssize_t n = ::pwrite(fd, data, length, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Errno("write base image");
    data += n, offset += static_cast<uint64_t>(n), length -= static_cast<uint64_t>(n);
  }
  return Status::Ok();
}

Status ZeroRange(int fd, uint64_t offset, uint64_t length) {
  if (length == 0) return Status::Ok();
  if (::fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset),
                  static_cast<off_t>(length)) == 0) {
    return Status::Ok();
  }
  if (errno != EOPNOTSUPP) return Errno("punch base image");
  static const std::vector<uint8_t> zeroes(1 << 20);
  for (uint64_t pos = 0; pos < length; pos += zeroes.size()) {
    CDR_RETURN_IF_ERROR(
        WriteAll(fd, offset + pos, zeroes.data(), std::min<uint64_t>(zeroes.size(), length - pos)));
  }
  return Status::Ok();
}

Status ApplyRecord(int fd, const journal::Record& r) {
  if (r.kind == journal::RecordKind::kWrite) return WriteAll(fd, r.offset, r.data.data(), r.data.size());
  return ZeroRange(fd, r.offset, r.length);  // zero and trim both read back as zeroes
}

// Applies every record of the journal directory `dir` in [first, last]; each must be there.
Status ApplyJournal(int fd, const fs::path& dir, uint64_t first, uint64_t last, uint64_t* last_time_ns) {
  if (first > last) return Status::Ok();
  Result<std::unique_ptr<journal::JournalReader>> reader = journal::JournalReader::Open(dir, first, last);
  if (!reader.ok())
    return DataLoss(dir.string() + ": records " + std::to_string(first) + ".." + std::to_string(last) +
                    " unreadable: " + reader.status().ToString());
  journal::Record record;
  uint64_t expected = first;
  while (true) {
    Result<bool> got = (*reader)->Next(&record);
    if (!got.ok()) return got.status();
    if (!*got) break;
    CDR_RETURN_IF_ERROR(ApplyRecord(fd, record));
    if (last_time_ns != nullptr) *last_time_ns = record.time_ns;
    expected = record.seq + 1;
  }
  if (expected != last + 1) {
    return DataLoss(dir.string() + ": has records up to " + std::to_string(expected - 1) + ", needed up to " +
                    std::to_string(last));
  }
  return Status::Ok();
}

// A repair's delta: every block it wrote, in order. A repair that found nothing to rewrite left no segment.
Status ApplyRepairDelta(int fd, const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec) || journal::ListSegments(dir).empty()) return Status::Ok();
  Result<std::unique_ptr<journal::JournalReader>> reader = journal::JournalReader::Open(dir, 1);
  if (!reader.ok())
    return DataLoss(dir.string() + ": unreadable repair delta: " + reader.status().ToString());
  journal::Record record;
  while (true) {
    Result<bool> got = (*reader)->Next(&record);
    if (!got.ok()) return got.status();
    if (!*got) return Status::Ok();
    CDR_RETURN_IF_ERROR(ApplyRecord(fd, record));
  }
}

}  // namespace

Status CopyImageExtents(const fs::path& src, const fs::path& dst, uint64_t* copied_bytes) {
  Fd in(::open(src.c_str(), O_RDONLY | O_CLOEXEC));
  if (in.get() < 0) return Errno("open " + src.string());
  const off_t size = ::lseek(in.get(), 0, SEEK_END);
  if (size < 0) return Errno("size of " + src.string());
  const std::string tmp = dst.string() + ".tmp";
  Fd out(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (out.get() < 0) return Errno("create " + tmp);
  if (::ftruncate(out.get(), size) != 0) return Errno("size " + tmp);
  uint64_t copied = 0;
  off_t pos = 0;
  while (pos < size) {
    off_t data = ::lseek(in.get(), pos, SEEK_DATA);
    if (data < 0) {
      if (errno == ENXIO) break;  // only a hole is left
      return Errno("SEEK_DATA in " + src.string());
    }
    off_t hole = ::lseek(in.get(), data, SEEK_HOLE);
    if (hole < 0) return Errno("SEEK_HOLE in " + src.string());
    CDR_RETURN_IF_ERROR(
        CopyRange(in.get(), out.get(), static_cast<uint64_t>(data), static_cast<uint64_t>(hole - data)));
    copied += static_cast<uint64_t>(hole - data);
    pos = hole;
  }
  if (::fdatasync(out.get()) != 0) return Errno("fdatasync " + tmp);
  if (::rename(tmp.c_str(), dst.c_str()) != 0) return Errno("rename " + tmp);
  SyncDirectory(dst.parent_path());
  if (copied_bytes != nullptr) *copied_bytes = copied;
  return Status::Ok();
}

Status ReplayHistory(int fd, const HistoryPaths& paths, const DiskHistory& history, uint64_t from_seq,
                     uint64_t to_seq, uint64_t* last_time_ns) {
  uint64_t applied = from_seq;
  for (const RepairEntry& repair : history.repairs) {
    if (repair.after_seq < from_seq) continue;  // older than the image: already in it
    if (repair.after_seq >= to_seq) break;
    if (repair.finished_seq == 0 || repair.finished_seq > to_seq) {
      return FailedPrecondition("seq " + std::to_string(to_seq) + " of " + paths.disk +
                                " is inside a repair (" + std::to_string(repair.after_seq) + ", " +
                                std::to_string(repair.finished_seq) + ")");
    }
    CDR_RETURN_IF_ERROR(ApplyJournal(fd, paths.cdp_dir(), applied + 1, repair.after_seq, last_time_ns));
    CDR_RETURN_IF_ERROR(ApplyRepairDelta(fd, paths.server_dir / repair.dir));
    applied = repair.finished_seq;
  }
  return ApplyJournal(fd, paths.cdp_dir(), applied + 1, to_seq, last_time_ns);
}

}  // namespace cdr::shadow
