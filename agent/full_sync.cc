#include "agent/full_sync.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "agent/io_status.h"

namespace cdr::agent {

Result<std::unique_ptr<FullSyncReader>> FullSyncReader::Open(const std::filesystem::path& path,
                                                             uint64_t disk_size, uint32_t block_size,
                                                             uint64_t chunk_bytes) {
  if (block_size == 0 || chunk_bytes < block_size)
    return InvalidArgument("full sync: bad block or chunk size");
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open " + path.string(), errno);
  chunk_bytes -= chunk_bytes % block_size;
  return std::unique_ptr<FullSyncReader>(new FullSyncReader(fd, disk_size, block_size, chunk_bytes));
}

FullSyncReader::~FullSyncReader() { ::close(fd_); }

Result<bool> FullSyncReader::NextChunk(uint64_t* cursor, std::vector<DataRun>* runs) {
  runs->clear();
  if (*cursor >= disk_size_) return false;
  off_t data = ::lseek(fd_, static_cast<off_t>(*cursor), SEEK_DATA);
  if (data < 0 && errno == ENXIO) {  // nothing but holes up to the end
    *cursor = disk_size_;
    return true;
  }
  if (data < 0)
    data = static_cast<off_t>(*cursor);  // no SEEK_DATA here (some block devices): read everything
  off_t hole = ::lseek(fd_, data, SEEK_HOLE);
  if (hole < 0) hole = static_cast<off_t>(disk_size_);
  const uint64_t start = static_cast<uint64_t>(data);
  const uint64_t end = std::min({start + buffer_.size(), static_cast<uint64_t>(hole), disk_size_});
  if (end <= start) {  // a hole past the disk size: the file is larger than the disk
    *cursor = disk_size_;
    return true;
  }
  const size_t length = end - start;
  size_t done = 0;
  while (done < length) {
    ssize_t n = ::pread(fd_, buffer_.data() + done, length - done, static_cast<off_t>(start + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus("full sync read", errno);
    if (n == 0) {  // the file is shorter than the disk size: the rest reads as zeroes
      std::memset(buffer_.data() + done, 0, length - done);
      break;
    }
    done += static_cast<size_t>(n);
  }
  static const std::vector<uint8_t> kZero(1 << 20);
  size_t run_start = length;
  for (size_t pos = 0; pos < length; pos += block_size_) {
    const size_t n = std::min<size_t>(block_size_, length - pos);
    const bool zero = std::memcmp(buffer_.data() + pos, kZero.data(), std::min(n, kZero.size())) == 0 &&
                      (n <= kZero.size() || std::all_of(buffer_.begin() + pos, buffer_.begin() + pos + n,
                                                        [](uint8_t b) { return b == 0; }));
    if (!zero && run_start == length) run_start = pos;
    if (zero && run_start != length) {
      runs->push_back({start + run_start, std::span(buffer_).subspan(run_start, pos - run_start)});
      run_start = length;
    }
  }
  if (run_start != length)
    runs->push_back({start + run_start, std::span(buffer_).subspan(run_start, length - run_start)});
  *cursor = end;
  return true;
}

}  // namespace cdr::agent
