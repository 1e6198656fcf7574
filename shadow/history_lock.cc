#include "shadow/history_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "shadow/history_files.h"

namespace cdr::shadow {

Result<HistoryLock> HistoryLock::Exclusive(const std::filesystem::path& server_dir) {
  const std::filesystem::path path = HistoryLockPath(server_dir);
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Internal("open " + path.string() + ": " + std::strerror(errno));
  int rc;
  do {
    rc = ::flock(fd, LOCK_EX);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    Status s = Internal("flock " + path.string() + ": " + std::strerror(errno));
    ::close(fd);
    return s;
  }
  return HistoryLock(fd);
}

HistoryLock::~HistoryLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the flock
}

}  // namespace cdr::shadow
