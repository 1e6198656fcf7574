// history.lock of a server directory: cdr-shadow holds flock(LOCK_EX) while it changes a history.json or a
// base.img or deletes log segments; a reader holds LOCK_SH while it writes its pin and opens the files it
// indexes, so it never sees a base and a history.json of different seqs.
#pragma once

#include <filesystem>

#include "common/status.h"

namespace cdr::shadow {

class HistoryLock {
 public:
  // Blocks until the exclusive lock is held (readers hold it for milliseconds).
  static Result<HistoryLock> Exclusive(const std::filesystem::path& server_dir);
  HistoryLock(HistoryLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  HistoryLock& operator=(HistoryLock&&) = delete;
  ~HistoryLock();

 private:
  explicit HistoryLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace cdr::shadow
