#include "recovery/point_in_time_device.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "agent/file_extents.h"
#include "agent/io_status.h"

namespace cdr::recovery {

Status PreadOrZero(int fd, uint64_t offset, std::span<uint8_t> out, const std::string& what) {
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return agent::ErrnoStatus("pread " + what, errno);
    if (n == 0) {
      std::memset(out.data() + done, 0, out.size() - done);
      break;
    }
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status PointInTimeDevice::Read(uint64_t offset, std::span<uint8_t> out) {
  Status status;
  index_.ForEachPiece(offset, out.size(), [&](uint64_t piece, uint64_t length, const Extent* extent) {
    if (!status.ok()) return;
    std::span<uint8_t> part = out.subspan(piece - offset, length);
    if (extent == nullptr) {
      status = PreadOrZero(log_->base_fd(), piece, part, "base image of " + log_->disk());
    } else if (extent->source == Extent::Source::kZero) {
      std::memset(part.data(), 0, part.size());
    } else {
      status =
          PreadOrZero(log_->file_fd(extent->file), extent->file_pos, part, log_->file_path(extent->file));
    }
  });
  return status;
}

Status PointInTimeDevice::Extents(uint64_t offset, uint64_t length, std::vector<agent::Extent>* out) {
  index_.ForEachPiece(offset, length, [&](uint64_t piece, uint64_t piece_length, const Extent* extent) {
    if (extent == nullptr) {
      agent::AddFileExtents(log_->base_fd(), piece, piece_length, out);
    } else {
      agent::AddExtent(out, piece_length, extent->source == Extent::Source::kZero);
    }
  });
  return Status::Ok();
}

Status PointInTimeDevice::Write(uint64_t, std::span<const uint8_t>, bool) {
  return PermissionDenied("the disk at a recovery point is read-only");
}
Status PointInTimeDevice::Trim(uint64_t, uint64_t, bool) {
  return PermissionDenied("the disk at a recovery point is read-only");
}
Status PointInTimeDevice::WriteZeroes(uint64_t, uint64_t, bool, bool) {
  return PermissionDenied("the disk at a recovery point is read-only");
}

}  // namespace cdr::recovery
