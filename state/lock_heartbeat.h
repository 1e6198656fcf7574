// Keeps a held state lock alive from a background thread with its own database connection. With it the lock's
// TTL can be short: a live apply renews it even during a step that lasts minutes, while the lock of a killed CI
// job (on a host where its pid cannot be checked) lapses within one TTL instead of blocking the next pipeline.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace cdr::state {

class LockHeartbeat {
 public:
  // Renews `lock_id` every ttl/3 until destroyed. A renewal that fails (the lock was force-unlocked or taken
  // over) is logged and ends the heartbeat.
  LockHeartbeat(std::string state_location, std::string lock_id, int64_t ttl_millis);
  ~LockHeartbeat();
  LockHeartbeat(const LockHeartbeat&) = delete;
  LockHeartbeat& operator=(const LockHeartbeat&) = delete;

 private:
  void Run();

  const std::string state_location_;
  const std::string lock_id_;
  const int64_t ttl_millis_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace cdr::state
