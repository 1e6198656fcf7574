#include "agent/range_lock.h"

#include <algorithm>

namespace cdr::agent {

RangeLock::Held::~Held() {
  if (lock_ != nullptr) lock_->Release(it_);
}

RangeLock::Held RangeLock::Acquire(uint64_t offset, uint64_t length) {
  const uint64_t end = offset + std::max<uint64_t>(length, 1);
  std::unique_lock lock(mutex_);
  released_.wait(lock, [&] {
    return std::none_of(held_.begin(), held_.end(),
                        [&](const Held::Range& r) { return r.offset < end && offset < r.end; });
  });
  held_.push_front({offset, end});
  return Held(this, held_.begin());
}

void RangeLock::Release(std::list<Held::Range>::iterator it) {
  {
    std::lock_guard lock(mutex_);
    held_.erase(it);
  }
  released_.notify_all();
}

}  // namespace cdr::agent
