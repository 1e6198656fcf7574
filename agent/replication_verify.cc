// ReplicationSender's side of the online verify (docs/wire-protocol.md, "Online verify"). A probe holds the
// block hashes of a range taken at journal seq S while no write to the range was in flight; the realtime loop
// sends it after record S and before any record it reads later, so every record that touches the range after
// the hashes were taken reaches the shadow after the probe. Records past S that were read before the probe
// was queued were journaled while the range was held, so they do not touch it.
#include <spdlog/spdlog.h>

#include "agent/replication_sender.h"

namespace cdr::agent {

Status ReplicationSender::SubmitVerify(wire::VerifyRange probe) {
  std::lock_guard lock(mutex_);
  if (status_.phase != ReplicationPhase::kRealtime || !link_up_ || session_broken_ || stop_) {
    return FailedPrecondition(std::string("replication of ") + options_.disk + " is in " +
                              ReplicationPhaseName(status_.phase) + (link_up_ ? "" : " with the link down") +
                              ": an online verify compares a replica in realtime; wait for realtime");
  }
  verify_outstanding_[probe.id] = std::nullopt;
  verify_queue_.push_back(std::move(probe));
  cv_.notify_all();
  return Status::Ok();
}

Result<wire::VerifyResult> ReplicationSender::AwaitVerify(uint64_t id,
                                                          std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  auto it = verify_outstanding_.find(id);
  if (it == verify_outstanding_.end()) return NotFound("no online verify probe " + std::to_string(id));
  if (!cv_.wait_until(lock, deadline, [&] { return stop_ || it->second.has_value(); })) {
    verify_outstanding_.erase(it);
    return Unavailable("the shadow did not answer online verify probe " + std::to_string(id) + " in time");
  }
  std::optional<wire::VerifyResult> result = std::move(it->second);
  verify_outstanding_.erase(it);
  if (!result) return Unavailable("replication stopped");
  return *result;
}

bool ReplicationSender::CapAtVerify(uint64_t next, uint64_t* up_to) {
  std::lock_guard lock(mutex_);
  if (verify_queue_.empty()) return false;
  // A probe older than what was sent goes out before anything more is read.
  *up_to = std::min(*up_to, std::max(verify_queue_.front().seq, next - 1));
  return true;
}

void ReplicationSender::AppendDueVerifies(uint64_t next, std::vector<uint8_t>* batch) {
  std::lock_guard lock(mutex_);
  while (!verify_queue_.empty() && verify_queue_.front().seq < next) {
    const wire::VerifyRange& probe = verify_queue_.front();
    std::vector<uint8_t> frame =
        wire::EncodeFrame(wire::FrameType::kVerifyRange, probe.seq, wire::EncodeVerifyRange(probe), false);
    batch->insert(batch->end(), frame.begin(), frame.end());
    verify_queue_.pop_front();
  }
}

void ReplicationSender::OnVerifyResult(const wire::VerifyResult& result) {
  std::lock_guard lock(mutex_);
  if (result.outcome == wire::VerifyOutcome::kDiffers && divergence_.empty()) {
    divergence_ = "online verify: " + std::to_string(result.differing_blocks) +
                  " block(s) of the replica in [" + std::to_string(result.offset) + ", +" +
                  std::to_string(result.length) + ") differ from the disk (first at byte " +
                  std::to_string(result.first_differing_offset) + "); a repair is needed";
  }
  auto it = verify_outstanding_.find(result.id);
  if (it != verify_outstanding_.end()) it->second = result;
  cv_.notify_all();
}

void ReplicationSender::AbandonVerifiesLocked(const std::string& why) {
  verify_queue_.clear();
  for (auto& [id, result] : verify_outstanding_) {
    if (result) continue;
    result = wire::VerifyResult{id, 0, 0, wire::VerifyOutcome::kSkipped};
    result->reason = why;
  }
  cv_.notify_all();
}

}  // namespace cdr::agent
