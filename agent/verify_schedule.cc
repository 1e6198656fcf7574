#include "agent/verify_schedule.h"

#include <spdlog/spdlog.h>

namespace cdr::agent {

VerifySchedule::VerifySchedule(VerifyScheduleOptions options, std::vector<OnlineVerifier*> verifiers,
                               SenderOf sender_of)
    : options_(options), verifiers_(std::move(verifiers)), sender_of_(std::move(sender_of)) {}

VerifySchedule::~VerifySchedule() { Stop(); }

void VerifySchedule::Start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Run(); });
}

void VerifySchedule::Stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Status VerifySchedule::Request(uint64_t bytes) {
  bool any_realtime = false;
  for (size_t i = 0; i < verifiers_.size(); ++i) {
    std::shared_ptr<ReplicationSender> sender = sender_of_(i);
    if (sender == nullptr || sender->status().phase != ReplicationPhase::kRealtime) continue;
    any_realtime = true;
    verifiers_[i]->MarkRequested();
  }
  if (!any_realtime) {
    return FailedPrecondition("no disk is in realtime: an online verify compares a replica in realtime");
  }
  {
    std::lock_guard lock(mutex_);
    requested_ = bytes;
  }
  cv_.notify_all();
  return Status::Ok();
}

void VerifySchedule::Run() {
  auto next_scheduled = std::chrono::steady_clock::now() + options_.interval;
  std::unique_lock lock(mutex_);
  while (!stop_) {
    const bool scheduled = options_.interval.count() > 0;
    auto due = [&] { return stop_ || requested_.has_value(); };
    if (scheduled) {
      cv_.wait_until(lock, next_scheduled, due);
    } else {
      cv_.wait(lock, due);
    }
    if (stop_) break;
    uint64_t bytes = options_.sample_bytes;
    if (requested_) {
      bytes = *requested_;
      requested_.reset();
    } else if (!scheduled || std::chrono::steady_clock::now() < next_scheduled) {
      continue;
    } else {
      next_scheduled = std::chrono::steady_clock::now() + options_.interval;
    }
    lock.unlock();
    RunRounds(bytes);
    lock.lock();
  }
}

void VerifySchedule::RunRounds(uint64_t bytes) {
  for (size_t i = 0; i < verifiers_.size(); ++i) {
    {
      std::lock_guard lock(mutex_);
      if (stop_) return;
    }
    std::shared_ptr<ReplicationSender> sender = sender_of_(i);
    if (sender == nullptr) continue;  // not replicating: nothing to compare with
    verifiers_[i]->RunRound(*sender, bytes);
  }
}

}  // namespace cdr::agent
