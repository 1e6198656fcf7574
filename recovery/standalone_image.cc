#include "recovery/standalone_image.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "agent/io_status.h"
#include "recovery/history_files.h"

namespace cdr::recovery {
namespace fs = std::filesystem;
namespace {

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Copies bytes between files in the kernel (a reflink where the filesystem shares extents), falling back to
// read/write where copy_file_range is refused (different filesystems on old kernels, special files).
Status CopyRange(int in, uint64_t in_pos, int out, uint64_t out_pos, uint64_t length,
                 const std::string& what) {
  while (length > 0) {
    loff_t src = static_cast<loff_t>(in_pos), dst = static_cast<loff_t>(out_pos);
    ssize_t n = ::copy_file_range(in, &src, out, &dst, length, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == EOPNOTSUPP || errno == ENOSYS)) {
      std::vector<uint8_t> buffer(std::min<uint64_t>(length, 1 << 20));
      const size_t chunk = static_cast<size_t>(std::min<uint64_t>(length, buffer.size()));
      ssize_t r = ::pread(in, buffer.data(), chunk, static_cast<off_t>(in_pos));
      if (r <= 0) return agent::ErrnoStatus("read for " + what, r < 0 ? errno : EIO);
      if (::pwrite(out, buffer.data(), static_cast<size_t>(r), static_cast<off_t>(out_pos)) != r) {
        return agent::ErrnoStatus("write " + what, errno);
      }
      n = r;
    } else if (n < 0) {
      return agent::ErrnoStatus("copy_file_range for " + what, errno);
    } else if (n == 0) {
      return Internal("copy for " + what + ": source ended early");
    }
    in_pos += static_cast<uint64_t>(n);
    out_pos += static_cast<uint64_t>(n);
    length -= static_cast<uint64_t>(n);
  }
  return Status::Ok();
}

// Data extents only: holes of the base stay holes in the output.
Status CopySparse(int in, int out, uint64_t size, const std::string& what) {
  uint64_t pos = 0;
  while (pos < size) {
    off_t data = ::lseek(in, static_cast<off_t>(pos), SEEK_DATA);
    if (data < 0) {
      if (errno == ENXIO) return Status::Ok();
      return agent::ErrnoStatus("SEEK_DATA " + what, errno);
    }
    if (static_cast<uint64_t>(data) >= size) return Status::Ok();
    off_t hole = ::lseek(in, data, SEEK_HOLE);
    if (hole < 0) return agent::ErrnoStatus("SEEK_HOLE " + what, errno);
    const uint64_t end = std::min<uint64_t>(size, static_cast<uint64_t>(hole));
    CDR_RETURN_IF_ERROR(CopyRange(in, static_cast<uint64_t>(data), out, static_cast<uint64_t>(data),
                                  end - static_cast<uint64_t>(data), what));
    pos = end;
  }
  return Status::Ok();
}

Status PunchZeroes(int fd, uint64_t offset, uint64_t length, const std::string& what) {
  if (::fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset),
                  static_cast<off_t>(length)) == 0) {
    return Status::Ok();
  }
  const std::vector<uint8_t> zeroes(std::min<uint64_t>(length, 1 << 20), 0);
  while (length > 0) {
    const size_t chunk = static_cast<size_t>(std::min<uint64_t>(length, zeroes.size()));
    if (::pwrite(fd, zeroes.data(), chunk, static_cast<off_t>(offset)) != static_cast<ssize_t>(chunk)) {
      return agent::ErrnoStatus("zero " + what, errno);
    }
    offset += chunk;
    length -= chunk;
  }
  return Status::Ok();
}

// Renames the shadow's base to `out` under history.lock (exclusive), so no roll-forward is half-applied to
// it.
Result<bool> ConsumeBase(const fs::path& server_dir, const std::string& disk, const fs::path& out) {
  const fs::path lock_path = HistoryLockPath(server_dir);
  Fd lock(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (lock.get() < 0) return agent::ErrnoStatus("open " + lock_path.string(), errno);
  while (::flock(lock.get(), LOCK_EX) != 0) {
    if (errno != EINTR) return agent::ErrnoStatus("flock " + lock_path.string(), errno);
  }
  const fs::path base = BaseImagePath(server_dir, disk);
  if (::rename(base.c_str(), out.c_str()) == 0) return true;
  if (errno == EXDEV) {
    spdlog::warn("{} and {} are on different filesystems: copying the base instead of renaming it",
                 base.string(), out.string());
    return false;
  }
  return agent::ErrnoStatus("rename " + base.string() + " to " + out.string(), errno);
}

void SyncDirectory(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) ::fsync(fd), ::close(fd);
}

}  // namespace

Status WriteStandaloneImage(const StandaloneImageJob& job) {
  const DiskLog& log = job.disk->log();
  const uint64_t size = log.disk_size();
  std::error_code ec;
  if (job.out.has_parent_path()) fs::create_directories(job.out.parent_path(), ec);
  bool consumed = false;
  if (job.base == BaseHandling::kConsume) {
    Result<bool> renamed = ConsumeBase(job.server_dir, log.disk(), job.out);
    if (!renamed.ok()) return renamed.status();
    consumed = *renamed;
  }
  // A copy is built under a temporary name, so a crash never leaves a half-written image under the final
  // name.
  const fs::path target = consumed ? job.out : fs::path(job.out.string() + ".tmp");
  Fd out(
      ::open(target.c_str(), consumed ? O_RDWR | O_CLOEXEC : O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (out.get() < 0) return agent::ErrnoStatus("open " + target.string(), errno);
  if (::ftruncate(out.get(), static_cast<off_t>(size)) != 0) {
    return agent::ErrnoStatus("truncate " + target.string(), errno);
  }
  if (!consumed)
    CDR_RETURN_IF_ERROR(CopySparse(log.base_fd(), out.get(), size, "base image of " + log.disk()));

  for (const auto& [start, extent] : job.disk->index().extents()) {
    if (extent.source == Extent::Source::kZero) {
      CDR_RETURN_IF_ERROR(PunchZeroes(out.get(), start, extent.end - start, target.string()));
    } else {
      CDR_RETURN_IF_ERROR(CopyRange(log.file_fd(extent.file), extent.file_pos, out.get(), start,
                                    extent.end - start, target.string()));
    }
  }
  if (job.writes != nullptr) {
    for (const agent::DirtyRange& r : job.writes->owned_blocks().DirtyRanges()) {
      CDR_RETURN_IF_ERROR(
          CopyRange(job.writes->writes_fd(), r.offset, out.get(), r.offset, r.length, target.string()));
    }
  }
  if (::fdatasync(out.get()) != 0) return agent::ErrnoStatus("fdatasync " + target.string(), errno);
  if (!consumed && ::rename(target.c_str(), job.out.c_str()) != 0) {
    return agent::ErrnoStatus("rename " + target.string() + " to " + job.out.string(), errno);
  }
  SyncDirectory(job.out.has_parent_path() ? job.out.parent_path() : fs::path("."));
  return Status::Ok();
}

}  // namespace cdr::recovery
