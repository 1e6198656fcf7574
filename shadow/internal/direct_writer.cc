#include "shadow/internal/direct_writer.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

namespace cdr::shadow::internal {
namespace {

// A repair range is 1 MiB: one bounce buffer holds the largest run.
constexpr size_t kBufferBytes = 1 << 20;

}  // namespace

void DirectWriter::FreeAligned::operator()(uint8_t* p) const { std::free(p); }

DirectWriter::~DirectWriter() {
  if (fd_ >= 0) ::close(fd_);
}

Status DirectWriter::Open() {
  fd_ = ::open(image_.c_str(), O_WRONLY | O_DIRECT | O_CLOEXEC);
  if (fd_ < 0) {
    if (errno != EINVAL)
      return Internal("open " + image_.string() + " with O_DIRECT: " + std::strerror(errno));
    refused_ = true;
    spdlog::info("replica image {}: O_DIRECT refused, repair blocks are written through the page cache",
                 image_.string());
    return Status::Ok();
  }
  buffer_.reset(static_cast<uint8_t*>(std::aligned_alloc(kDirectAlign, kBufferBytes)));
  if (buffer_ == nullptr) return Internal("no memory for the direct-write buffer of " + image_.string());
  return Status::Ok();
}

Result<bool> DirectWriter::Write(uint64_t offset, std::span<const uint8_t> data) {
  if (refused_ || offset % kDirectAlign != 0 || data.size() % kDirectAlign != 0 || data.empty()) return false;
  if (fd_ < 0) {
    CDR_RETURN_IF_ERROR(Open());
    if (refused_) return false;
  }
  for (size_t done = 0; done < data.size();) {
    const size_t chunk = std::min(kBufferBytes, data.size() - done);
    std::memcpy(buffer_.get(), data.data() + done, chunk);
    const ssize_t n = ::pwrite(fd_, buffer_.get(), chunk, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EINVAL && done == 0) {
      // The filesystem took the open but not the write (an alignment it wants larger): buffered from now on.
      refused_ = true;
      return false;
    }
    if (n < 0) return Internal("direct write to " + image_.string() + ": " + std::strerror(errno));
    if (static_cast<size_t>(n) != chunk) {
      return Internal("direct write to " + image_.string() + ": " + std::to_string(n) + " of " +
                      std::to_string(chunk) + " bytes at " + std::to_string(offset + done) + " (disk full?)");
    }
    done += chunk;
  }
  return true;
}

}  // namespace cdr::shadow::internal
