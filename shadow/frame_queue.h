// Frames read from one agent connection, handed from the thread that reads the socket to the thread that
// applies them. The reader keeps draining the socket while the applier is blocked in a commit (fdatasync of
// the replica), so the agent keeps streaming instead of waiting for the disk: receiving and writing back
// overlap. Frame objects are recycled so their payload buffers are reused (no allocation, no zero-fill).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <vector>

#include "common/status.h"
#include "common/wire_frame.h"

namespace cdr::shadow {

class FrameQueue {
 public:
  explicit FrameQueue(uint64_t max_bytes) : max_bytes_(max_bytes) {}

  // Reader side. A frame to read into, with the capacity of one already applied when there is one.
  wire::Frame TakeSpare();
  // Waits while the queue holds max_bytes or more; false once the applier closed the queue.
  bool Push(wire::Frame frame);
  // The reader is done: `end` says why (the read error, or the peer closed).
  void Finish(Status end);

  // Applier side. The next frame in arrival order; false once the queue is empty and finished (*end = why).
  bool Pop(wire::Frame* frame, Status* end);
  bool empty() const;
  void Recycle(wire::Frame frame);
  // The applier stops taking frames: a waiting Push returns false.
  void Close();

 private:
  const uint64_t max_bytes_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<wire::Frame> frames_;
  uint64_t bytes_ = 0;
  bool finished_ = false;
  bool closed_ = false;
  Status end_;
  std::vector<wire::Frame> spares_;
};

}  // namespace cdr::shadow
