#include "agent/file_backend.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "agent/file_extents.h"
#include "agent/io_status.h"

namespace cdr::agent {

Result<std::unique_ptr<FileBackend>> FileBackend::Open(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open " + path.string(), errno);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return ErrnoStatus("fstat " + path.string(), err);
  }
  uint64_t size = static_cast<uint64_t>(st.st_size);
  bool is_block = S_ISBLK(st.st_mode);
  if (is_block && ::ioctl(fd, BLKGETSIZE64, &size) != 0) {
    int err = errno;
    ::close(fd);
    return ErrnoStatus("BLKGETSIZE64 " + path.string(), err);
  }
  if (!is_block && !S_ISREG(st.st_mode)) {
    ::close(fd);
    return InvalidArgument(path.string() + " is neither a regular file nor a block device");
  }
  return std::unique_ptr<FileBackend>(new FileBackend(fd, size, is_block, path.string()));
}

FileBackend::~FileBackend() { ::close(fd_); }

Status FileBackend::Read(uint64_t offset, std::span<uint8_t> out) {
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("pread " + path_, errno);
    }
    if (n == 0) return Internal("pread " + path_ + ": unexpected end of file");
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status FileBackend::Write(uint64_t offset, std::span<const uint8_t> data, bool fua) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::pwrite(fd_, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("pwrite " + path_, errno);
    }
    done += static_cast<size_t>(n);
  }
  return fua ? Flush() : Status::Ok();
}

Status FileBackend::Flush() {
  // fdatasync covers the whole file, whichever connection wrote: this is what makes CAN_MULTI_CONN honest.
  return sync_.Run([this] {
    return ::fdatasync(fd_) == 0 ? Status::Ok() : ErrnoStatus("fdatasync " + path_, errno);
  });
}

Status FileBackend::Trim(uint64_t offset, uint64_t length, bool fua) {
  int rc;
  if (is_block_device_) {
    uint64_t range[2] = {offset, length};
    rc = ::ioctl(fd_, BLKDISCARD, range);
  } else {
    rc = ::fallocate(fd_, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset),
                     static_cast<off_t>(length));
  }
  // A trim is advisory: a filesystem or device that cannot discard keeps the data, which is allowed.
  if (rc != 0 && errno != EOPNOTSUPP && errno != ENOTTY) return ErrnoStatus("trim " + path_, errno);
  return fua ? Flush() : Status::Ok();
}

Status FileBackend::WriteZeroes(uint64_t offset, uint64_t length, bool may_punch, bool fua) {
  int rc = -1;
  if (is_block_device_) {
    uint64_t range[2] = {offset, length};
    rc = ::ioctl(fd_, BLKZEROOUT, range);
  } else {
    const off_t off = static_cast<off_t>(offset), len = static_cast<off_t>(length);
    if (may_punch) rc = ::fallocate(fd_, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, len);
    if (rc != 0) rc = ::fallocate(fd_, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, off, len);
  }
  if (rc != 0) {
    if (errno != EOPNOTSUPP && errno != ENOTTY && errno != EINVAL) return ErrnoStatus("zero " + path_, errno);
    CDR_RETURN_IF_ERROR(WriteZeroBuffer(offset, length));
  }
  return fua ? Flush() : Status::Ok();
}

Status FileBackend::Extents(uint64_t offset, uint64_t length, std::vector<Extent>* out) {
  if (is_block_device_) return BlockDevice::Extents(offset, length, out);
  AddFileExtents(fd_, offset, length, out);
  return Status::Ok();
}

// Fallback for filesystems without fallocate modes: rare, so a temporary buffer is acceptable here.
Status FileBackend::WriteZeroBuffer(uint64_t offset, uint64_t length) {
  const std::vector<uint8_t> zeroes(std::min<uint64_t>(length, 1 << 20), 0);
  while (length > 0) {
    size_t chunk = static_cast<size_t>(std::min<uint64_t>(length, zeroes.size()));
    CDR_RETURN_IF_ERROR(Write(offset, std::span(zeroes.data(), chunk), false));
    offset += chunk;
    length -= chunk;
  }
  return Status::Ok();
}

}  // namespace cdr::agent
