#include "state/lock_heartbeat.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "state/state_location.h"
#include "state/state_store.h"

namespace cdr::state {

LockHeartbeat::LockHeartbeat(std::string state_location, std::string lock_id, int64_t ttl_millis)
    : state_location_(std::move(state_location)), lock_id_(std::move(lock_id)), ttl_millis_(ttl_millis) {
  thread_ = std::thread([this] { Run(); });
}

LockHeartbeat::~LockHeartbeat() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void LockHeartbeat::Run() {
  // Its own connection: a connection shared between threads would mix this update into whatever
  // transaction the apply thread has open.
  auto store = StateStore::Open(state_location_);
  if (!store.ok()) {
    spdlog::warn("lock heartbeat: cannot open {}: {}", RedactedLocation(state_location_), store.status().ToString());
    return;
  }
  const auto period = std::chrono::milliseconds(std::max<int64_t>(ttl_millis_ / 3, 10));
  std::unique_lock<std::mutex> lock(mu_);
  while (!wake_.wait_for(lock, period, [this] { return stop_; })) {
    Status renewed = (*store)->RenewLock(lock_id_, ttl_millis_);
    if (!renewed.ok()) {
      spdlog::warn("lock heartbeat stopped: {}", renewed.ToString());
      return;
    }
  }
}

}  // namespace cdr::state
