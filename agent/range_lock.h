// Exclusive locks on byte ranges of one disk: a holder of [offset, offset + length) runs alone against every
// other holder of an overlapping range; disjoint ranges proceed in parallel. The journal layer holds one around
// "write the file, then append the record", so two overlapping writes in flight at once (one connection's
// concurrent requests or two connections) reach the journal in the order their data reached the file.
//
// Waiters are not queued fairly among themselves: NBD gives no order to requests in flight together, only the
// journal-equals-file invariant matters. The in-flight set is small (requests in flight), so a list scan is enough.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <list>
#include <mutex>

namespace cdr::agent {

class RangeLock {
 public:
  class Held {
   public:
    Held(Held&& other) noexcept : lock_(other.lock_), it_(other.it_) { other.lock_ = nullptr; }
    Held(const Held&) = delete;
    Held& operator=(const Held&) = delete;
    Held& operator=(Held&&) = delete;
    ~Held();

   private:
    friend class RangeLock;
    struct Range {
      uint64_t offset;
      uint64_t end;
    };
    Held(RangeLock* lock, std::list<Range>::iterator it) : lock_(lock), it_(it) {}
    RangeLock* lock_;
    std::list<Range>::iterator it_;
  };

  // Blocks until no held range overlaps [offset, offset + length); a zero length locks one byte.
  Held Acquire(uint64_t offset, uint64_t length);

 private:
  void Release(std::list<Held::Range>::iterator it);

  std::mutex mutex_;
  std::condition_variable released_;
  std::list<Held::Range> held_;
};

}  // namespace cdr::agent
