#include "shadow/frame_queue.h"

namespace cdr::shadow {
namespace {

// Enough to keep a payload buffer for each frame in flight between the threads without hoarding memory.
constexpr size_t kMaxSpares = 8;

}  // namespace

wire::Frame FrameQueue::TakeSpare() {
  std::lock_guard lock(mutex_);
  if (spares_.empty()) return {};
  wire::Frame frame = std::move(spares_.back());
  spares_.pop_back();
  return frame;
}

bool FrameQueue::Push(wire::Frame frame) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return closed_ || bytes_ < max_bytes_; });
  if (closed_) return false;
  bytes_ += frame.payload.size();
  frames_.push_back(std::move(frame));
  changed_.notify_all();
  return true;
}

void FrameQueue::Finish(Status end) {
  std::lock_guard lock(mutex_);
  finished_ = true;
  end_ = std::move(end);
  changed_.notify_all();
}

bool FrameQueue::Pop(wire::Frame* frame, Status* end) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return !frames_.empty() || finished_; });
  if (frames_.empty()) {
    *end = end_;
    return false;
  }
  *frame = std::move(frames_.front());
  frames_.pop_front();
  bytes_ -= frame->payload.size();
  changed_.notify_all();
  return true;
}

bool FrameQueue::empty() const {
  std::lock_guard lock(mutex_);
  return frames_.empty();
}

void FrameQueue::Recycle(wire::Frame frame) {
  std::lock_guard lock(mutex_);
  if (spares_.size() < kMaxSpares) spares_.push_back(std::move(frame));
}

void FrameQueue::Close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  changed_.notify_all();
}

}  // namespace cdr::shadow
