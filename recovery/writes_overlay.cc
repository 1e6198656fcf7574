#include "recovery/writes_overlay.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "agent/file_extents.h"
#include "agent/io_status.h"

namespace cdr::recovery {
namespace fs = std::filesystem;

Result<std::unique_ptr<WritesOverlay>> WritesOverlay::Open(const fs::path& path,
                                                           std::unique_ptr<agent::BlockDevice> below) {
  const uint64_t size = below->Size();
  Result<std::unique_ptr<agent::DirtyBitmap>> bitmap =
      agent::DirtyBitmap::Open(path.string() + ".bitmap", size, kOverlayBlock);
  if (!bitmap.ok()) return bitmap.status();
  if ((*bitmap)->recovery() == agent::BitmapRecovery::kGeometryChanged) {
    return FailedPrecondition(path.string() +
                              ".bitmap was made for another disk size; remove the state "
                              "directory to start the DR disk over");
  }
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return agent::ErrnoStatus("open " + path.string(), errno);
  if (::ftruncate(fd, static_cast<off_t>(size)) != 0) {
    int err = errno;
    ::close(fd);
    return agent::ErrnoStatus("truncate " + path.string(), err);
  }
  return std::unique_ptr<WritesOverlay>(new WritesOverlay(std::move(below), fd, path, std::move(*bitmap)));
}

WritesOverlay::~WritesOverlay() {
  if (!closed_) (void)Close();
  ::close(fd_);
}

Status WritesOverlay::Close() {
  if (closed_) return Status::Ok();
  CDR_RETURN_IF_ERROR(Flush());
  closed_ = true;
  return bitmap_->CloseClean();
}

Status WritesOverlay::Read(uint64_t offset, std::span<uint8_t> out) {
  const uint64_t end = offset + out.size();
  uint64_t pos = offset;
  while (pos < end) {
    const bool owned = bitmap_->IsDirty(pos);
    uint64_t run_end = std::min(end, (pos / kOverlayBlock + 1) * kOverlayBlock);
    while (run_end < end && bitmap_->IsDirty(run_end) == owned) {
      run_end = std::min(end, run_end + kOverlayBlock);
    }
    std::span<uint8_t> part = out.subspan(pos - offset, run_end - pos);
    if (owned) {
      size_t done = 0;
      while (done < part.size()) {
        ssize_t n = ::pread(fd_, part.data() + done, part.size() - done, static_cast<off_t>(pos + done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return agent::ErrnoStatus("pread " + path_.string(), n < 0 ? errno : EIO);
        done += static_cast<size_t>(n);
      }
    } else {
      CDR_RETURN_IF_ERROR(next().Read(pos, part));
    }
    pos = run_end;
  }
  return Status::Ok();
}

Status WritesOverlay::CopyUp(uint64_t offset) {
  const uint64_t block = offset / kOverlayBlock * kOverlayBlock;
  if (bitmap_->IsDirty(block)) return Status::Ok();
  std::vector<uint8_t> buffer(std::min<uint64_t>(kOverlayBlock, Size() - block));
  CDR_RETURN_IF_ERROR(next().Read(block, buffer));
  if (::pwrite(fd_, buffer.data(), buffer.size(), static_cast<off_t>(block)) !=
      static_cast<ssize_t>(buffer.size())) {
    return agent::ErrnoStatus("pwrite " + path_.string(), errno);
  }
  return Status::Ok();
}

Status WritesOverlay::CopyUpEdges(uint64_t offset, uint64_t length) {
  if (offset % kOverlayBlock != 0) CDR_RETURN_IF_ERROR(CopyUp(offset));
  const uint64_t end = offset + length;
  if (end % kOverlayBlock != 0 && end < Size()) CDR_RETURN_IF_ERROR(CopyUp(end - 1));
  return Status::Ok();
}

Status WritesOverlay::Write(uint64_t offset, std::span<const uint8_t> data, bool fua) {
  std::lock_guard lock(write_mutex_);
  CDR_RETURN_IF_ERROR(CopyUpEdges(offset, data.size()));
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::pwrite(fd_, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return agent::ErrnoStatus("pwrite " + path_.string(), errno);
    done += static_cast<size_t>(n);
  }
  CDR_RETURN_IF_ERROR(bitmap_->Mark(offset, data.size()));
  return fua ? Flush() : Status::Ok();
}

Status WritesOverlay::WriteZeroes(uint64_t offset, uint64_t length, bool may_punch, bool fua) {
  std::lock_guard lock(write_mutex_);
  CDR_RETURN_IF_ERROR(CopyUpEdges(offset, length));
  const int mode = may_punch ? FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE : FALLOC_FL_ZERO_RANGE;
  if (::fallocate(fd_, mode, static_cast<off_t>(offset), static_cast<off_t>(length)) != 0) {
    // Filesystems without ZERO_RANGE (tmpfs): a hole reads back as zeroes too.
    if (::fallocate(fd_, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset),
                    static_cast<off_t>(length)) != 0) {
      return agent::ErrnoStatus("zero " + path_.string(), errno);
    }
  }
  CDR_RETURN_IF_ERROR(bitmap_->Mark(offset, length));
  return fua ? Flush() : Status::Ok();
}

// A trimmed range must read back as zeroes here: a DR host that trims and reads expects no stale history.
Status WritesOverlay::Trim(uint64_t offset, uint64_t length, bool fua) {
  return WriteZeroes(offset, length, /*may_punch=*/true, fua);
}

Status WritesOverlay::Flush() {
  // Data before the bitmap: a marked block must never point at bytes that did not reach the disk.
  if (::fdatasync(fd_) != 0) return agent::ErrnoStatus("fdatasync " + path_.string(), errno);
  return bitmap_->Sync();
}

Status WritesOverlay::Extents(uint64_t offset, uint64_t length, std::vector<agent::Extent>* out) {
  std::vector<agent::Extent> below;
  CDR_RETURN_IF_ERROR(next().Extents(offset, length, &below));
  std::vector<agent::DirtyRange> owned;
  {
    std::lock_guard lock(write_mutex_);
    owned = bitmap_->DirtyRanges();
  }
  auto next_owned = owned.begin();
  uint64_t pos = offset;
  for (const agent::Extent& e : below) {
    const uint64_t end = pos + e.length;
    if (!e.hole) {
      agent::AddExtent(out, e.length, false);
      pos = end;
      continue;
    }
    // A hole below is data wherever the overlay owns a block.
    while (pos < end) {
      while (next_owned != owned.end() && next_owned->offset + next_owned->length <= pos) ++next_owned;
      if (next_owned == owned.end() || next_owned->offset >= end) {
        agent::AddExtent(out, end - pos, true);
        pos = end;
      } else if (next_owned->offset > pos) {
        agent::AddExtent(out, next_owned->offset - pos, true);
        pos = next_owned->offset;
      } else {
        const uint64_t owned_end = std::min(end, next_owned->offset + next_owned->length);
        agent::AddExtent(out, owned_end - pos, false);
        pos = owned_end;
      }
    }
  }
  return Status::Ok();
}

}  // namespace cdr::recovery
