// When the agent's online verify runs (agent/online_verifier.h): a round of `sample_bytes` per disk every
// `interval`, and a round on demand (ReplicationControl::Verify). One thread runs the rounds, disk after
// disk, for the disks whose sender is in realtime; the others are skipped and say why.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "agent/online_verifier.h"
#include "agent/replication_sender.h"

namespace cdr::agent {

struct VerifyScheduleOptions {
  std::chrono::seconds interval{0};  // 0: only on demand
  uint64_t sample_bytes = 64ull << 20;
};

class VerifySchedule {
 public:
  // The sender replicating disk `index` now, or null when it is not replicating.
  using SenderOf = std::function<std::shared_ptr<ReplicationSender>(size_t index)>;
  VerifySchedule(VerifyScheduleOptions options, std::vector<OnlineVerifier*> verifiers, SenderOf sender_of);
  ~VerifySchedule();  // Stop()
  VerifySchedule(const VerifySchedule&) = delete;
  VerifySchedule& operator=(const VerifySchedule&) = delete;

  void Start();
  // Joins the thread; a round under way ends at its current range (stop the senders first, so a range waiting
  // for the shadow's answer returns at once).
  void Stop();
  // A round of `bytes` (0: the whole disk) for every disk whose sender is in realtime, as soon as the thread
  // is free. kFailedPrecondition when no disk is in realtime.
  Status Request(uint64_t bytes);

 private:
  void Run();
  void RunRounds(uint64_t bytes);

  const VerifyScheduleOptions options_;
  const std::vector<OnlineVerifier*> verifiers_;
  const SenderOf sender_of_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::optional<uint64_t> requested_;
  std::thread thread_;
};

}  // namespace cdr::agent
