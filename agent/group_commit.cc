#include "agent/group_commit.h"

namespace cdr::agent {

Status GroupCommit::Run(const std::function<Status()>& sync) {
  std::unique_lock lock(mutex_);
  const uint64_t ticket = ++requested_;
  while (covered_ < ticket) {
    if (running_) {
      done_.wait(lock);
      continue;
    }
    running_ = true;
    const uint64_t covers = requested_;
    lock.unlock();
    Status status = sync();
    lock.lock();
    running_ = false;
    ++runs_;
    covered_ = covers;
    if (!status.ok()) {
      failed_covers_ = covers;
      failed_status_ = status;
    }
    done_.notify_all();
    return status;
  }
  // A waiter may wake only after a later run ended: an error of any run since then is reported rather than
  // hidden (a spurious failed FLUSH is honest, a lost one is not).
  return ticket <= failed_covers_ ? failed_status_ : Status::Ok();
}

uint64_t GroupCommit::runs() const {
  std::lock_guard lock(mutex_);
  return runs_;
}

}  // namespace cdr::agent
