#include "providers/local/internal/disk_image.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "providers/local/internal/run_tool.h"

namespace cdr::providers::local::internal {
namespace {

// ext4 labels hold 16 bytes; mkfs would truncate too, but noisily on stderr.
constexpr size_t kMaxExt4Label = 16;

}  // namespace

Status CreateSparseImage(const std::filesystem::path& path, int64_t size_bytes) {
  if (size_bytes <= 0)
    return InvalidArgument("disk size must be positive, got " + std::to_string(size_bytes));
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) return Internal(path.parent_path().string() + ": " + ec.message());
  // A disk image holds the server's data: readable by its owner only.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return AlreadyExists(path.string() + " already exists");
    return Internal(path.string() + ": " + std::strerror(errno));
  }
  if (::ftruncate(fd, size_bytes) != 0) {
    int err = errno;
    ::close(fd);
    ::unlink(path.c_str());
    return Internal(path.string() + ": ftruncate: " + std::strerror(err));
  }
  if (::close(fd) != 0) return Internal(path.string() + ": " + std::strerror(errno));
  return Status::Ok();
}

Status FormatExt4(const std::filesystem::path& path, const std::string& label) {
  auto mkfs = FindTool("mkfs.ext4");
  if (!mkfs.ok()) return mkfs.status();
  return RunToolChecked(*mkfs, {"-q", "-F", "-L", label.substr(0, kMaxExt4Label), path.string()});
}

}  // namespace cdr::providers::local::internal
