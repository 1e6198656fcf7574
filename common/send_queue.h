// Bytes on their way into a non-blocking socket, sent in the order they were appended, by whichever of two
// senders is free: a small submission goes out at once on the caller's thread (a 4 KiB write's round trip
// gets no thread hop), a bulk one is handed to the queue's own sender thread, so the caller prepares the next
// bytes (TLS: encrypts the next records) while the previous ones are in send(). Memory is bounded: a caller
// waits for room (WaitForRoom) before it appends more.
//
//   Append ──► filling ──(full batch, or Submit)──► queue ──► sender thread ─┐
//                                  └─(Submit, small, nothing queued/sending)─► caller's thread ──► send()
//
// The first send failure is kept and returned by every later call: the bytes behind it are dropped.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "common/status.h"

namespace cdr {

class SendQueue {
 public:
  // Appended bytes are handed to the sender in batches of this size: one send() each.
  static constexpr size_t kBatch = 256 << 10;
  // WaitForRoom waits while this much is waiting for the socket.
  static constexpr size_t kMaxQueued = 1 << 20;
  // A submission up to this size is sent on the caller's thread when nothing else is waiting.
  static constexpr size_t kInline = 64 << 10;

  // send_timeout: how long one send may wait for room in the socket (0: for ever).
  SendQueue(int fd, std::chrono::milliseconds send_timeout) : fd_(fd), send_timeout_(send_timeout) {}
  // Waits for what is queued to leave (at most the send timeout, 10 s without one), then stops the thread.
  ~SendQueue();
  SendQueue(const SendQueue&) = delete;
  SendQueue& operator=(const SendQueue&) = delete;

  // Never blocks; a full batch goes to the sender thread.
  void Append(const uint8_t* data, size_t n);
  // Waits until less than kMaxQueued is waiting. The first send failure, once there was one.
  Status WaitForRoom();
  // Everything appended goes to the socket: sent on this thread when it is small and nothing else is queued
  // or being sent (returns once sent), else handed to the sender thread (returns at once).
  Status Submit();
  // Hands what was appended to the sender thread without sending on this thread (never blocks).
  void SubmitInBackground();

 private:
  // Both under mutex_.
  void QueueFilling();
  void WakeSender();
  void SenderLoop();
  // All of `bytes` into the socket, waiting (poll) while it is full.
  Status SendAll(const std::vector<uint8_t>& bytes);
  // Sends the queue's front while this thread holds sending_; the lock is released around send().
  void SendFront(std::unique_lock<std::mutex>& lock);

  const int fd_;
  const std::chrono::milliseconds send_timeout_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<uint8_t> filling_;
  std::deque<std::vector<uint8_t>> queue_;
  std::vector<std::vector<uint8_t>> spare_;
  size_t queued_ = 0;     // bytes in queue_
  bool sending_ = false;  // a sender holds the queue's front
  bool stop_ = false;
  Status error_;
  std::thread sender_;
};

}  // namespace cdr
