#include "common/send_queue.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "common/byte_stream.h"

namespace cdr {
namespace {

// Buffers kept for reuse: one filling, a queue's worth of batches.
constexpr size_t kMaxSpare = SendQueue::kMaxQueued / SendQueue::kBatch + 1;

}  // namespace

SendQueue::~SendQueue() {
  std::unique_lock lock(mutex_);
  if (error_.ok()) QueueFilling();
  if (!queue_.empty() && !sending_ && error_.ok()) WakeSender();
  const auto wait = send_timeout_.count() > 0 ? send_timeout_ : std::chrono::milliseconds(10000);
  const bool drained =
      changed_.wait_for(lock, wait, [&] { return (queue_.empty() && !sending_) || !error_.ok(); });
  // A peer that takes nothing for that long is gone: the shutdown wakes a sender waiting for the socket.
  if (!drained) ::shutdown(fd_, SHUT_RDWR);
  stop_ = true;
  changed_.notify_all();
  lock.unlock();
  if (sender_.joinable()) sender_.join();
}

void SendQueue::Append(const uint8_t* data, size_t n) {
  std::lock_guard lock(mutex_);
  if (filling_.capacity() == 0 && !spare_.empty()) {
    filling_ = std::move(spare_.back());
    spare_.pop_back();
  }
  if (filling_.capacity() < kBatch) filling_.reserve(kBatch + (16 << 10));
  filling_.insert(filling_.end(), data, data + n);
  if (filling_.size() >= kBatch) {
    QueueFilling();
    WakeSender();
  }
}

Status SendQueue::WaitForRoom() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return !error_.ok() || stop_ || queued_ < kMaxQueued; });
  return error_;
}

Status SendQueue::Submit() {
  std::unique_lock lock(mutex_);
  if (!error_.ok()) return error_;
  QueueFilling();
  if (queue_.empty()) return Status::Ok();
  if (sending_ || queued_ > kInline) {
    WakeSender();
    return Status::Ok();
  }
  // Until the sender thread (woken by an earlier batch) takes over: it then sends the rest in order.
  while (!queue_.empty() && !sending_ && error_.ok()) SendFront(lock);
  return error_;
}

void SendQueue::SubmitInBackground() {
  std::lock_guard lock(mutex_);
  QueueFilling();
  if (!queue_.empty()) WakeSender();
}

void SendQueue::QueueFilling() {
  if (filling_.empty()) return;
  queued_ += filling_.size();
  queue_.push_back(std::move(filling_));
  filling_ = {};
}

void SendQueue::WakeSender() {
  if (!sender_.joinable()) sender_ = std::thread([this] { SenderLoop(); });
  changed_.notify_all();
}

void SendQueue::SenderLoop() {
  std::unique_lock lock(mutex_);
  while (true) {
    changed_.wait(lock, [&] { return stop_ || (!queue_.empty() && !sending_ && error_.ok()); });
    if (stop_) return;
    SendFront(lock);
  }
}

void SendQueue::SendFront(std::unique_lock<std::mutex>& lock) {
  sending_ = true;
  std::vector<uint8_t> bytes = std::move(queue_.front());
  queue_.pop_front();
  lock.unlock();
  Status s = SendAll(bytes);
  lock.lock();
  queued_ -= bytes.size();
  sending_ = false;
  if (!s.ok() && error_.ok()) {
    error_ = std::move(s);
    queue_.clear();
    queued_ = 0;
  }
  bytes.clear();
  if (spare_.size() < kMaxSpare) spare_.push_back(std::move(bytes));
  changed_.notify_all();
}

Status SendQueue::SendAll(const std::vector<uint8_t>& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      CDR_RETURN_IF_ERROR(WaitForSocket(fd_, POLLOUT, kNoDeadline, send_timeout_));
      continue;
    }
    return Unavailable(std::string("send: ") + (n == 0 ? "connection closed" : std::strerror(errno)));
  }
  return Status::Ok();
}

}  // namespace cdr
