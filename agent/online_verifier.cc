#include "agent/online_verifier.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "agent/internal/block_hash.h"
#include "common/clock.h"

namespace cdr::agent {
namespace {

constexpr uint64_t kRangeBytes = 1 << 20;
// The shadow answers after it applied every record before the probe: a lagging link may take a while.
constexpr auto kAnswerTimeout = std::chrono::seconds(60);

// DiskVerifyStatus::outcome, indexed by OnlineVerifier::Outcome.
constexpr const char* kOutcomeNames[] = {"same", "differs", "skipped", "failed"};

}  // namespace

OnlineVerifier::OnlineVerifier(ExportStack* stack, std::filesystem::path disk_path)
    : stack_(stack),
      disk_path_(std::move(disk_path)),
      disk_size_(stack->device()->Size()),
      block_size_(stack->device()->BlockSize()) {
  fd_ = ::open(disk_path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) spdlog::error("online verify of {}: open: {}", disk_path_.string(), std::strerror(errno));
}

OnlineVerifier::~OnlineVerifier() {
  if (fd_ >= 0) ::close(fd_);
}

DiskVerifyStatus OnlineVerifier::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

void OnlineVerifier::MarkRequested() {
  std::lock_guard lock(mutex_);
  status_.requested = true;
}

Result<wire::VerifyResult> OnlineVerifier::CompareRange(ReplicationSender& sender, uint64_t offset,
                                                        uint32_t length) {
  wire::VerifyRange probe{next_probe_id_++, 0, offset, length, block_size_};
  {
    RangeLock::Held held = stack_->journal_layer().HoldRange(offset, length);
    if (stack_->journal_layer().journal_incomplete()) {
      return FailedPrecondition("the journal is full or broken: the replica is repaired first");
    }
    probe.seq = stack_->journal().next_seq() - 1;
    CDR_RETURN_IF_ERROR(
        internal::HashRange(fd_, offset, length, disk_size_, block_size_, &buffer_, &probe.hashes));
    // Queued while the range is held, so no later write to it can be read by the sender before the probe.
    CDR_RETURN_IF_ERROR(sender.SubmitVerify(probe));
  }
  return sender.AwaitVerify(probe.id, std::chrono::steady_clock::now() + kAnswerTimeout);
}

void OnlineVerifier::RunRound(ReplicationSender& sender, uint64_t bytes) {
  uint64_t start;
  {
    std::lock_guard lock(mutex_);
    const bool whole = bytes == 0 || bytes >= disk_size_;
    if (whole) status_.cursor = 0;
    bytes = whole ? disk_size_ : bytes;
    start = status_.cursor;
    status_.running = true;
    status_.requested = false;
    status_.round_started_ms = NowUnixMillis();
  }
  if (fd_ < 0)
    return FinishRound(Outcome::kFailed, "the disk " + disk_path_.string() + " could not be opened", 0);
  uint64_t compared = 0;
  uint64_t offset = start;
  while (compared < bytes) {
    if (offset >= disk_size_) offset = 0;  // the rolling cursor wraps
    const auto length = static_cast<uint32_t>(std::min({kRangeBytes, disk_size_ - offset, bytes - compared}));
    Result<wire::VerifyResult> result = CompareRange(sender, offset, length);
    if (!result.ok()) return FinishRound(Outcome::kSkipped, result.status().message(), compared);
    if (result->outcome == wire::VerifyOutcome::kSkipped)
      return FinishRound(Outcome::kSkipped, result->reason, compared);
    compared += length;
    offset += length;
    {
      std::lock_guard lock(mutex_);
      status_.cursor = offset >= disk_size_ ? 0 : offset;
      status_.bytes_compared += length;
    }
    if (result->outcome == wire::VerifyOutcome::kDiffers) {
      {
        std::lock_guard lock(mutex_);
        ++status_.differences;
        status_.difference_ms = NowUnixMillis();
        status_.difference_offset = result->first_differing_offset;
      }
      return FinishRound(Outcome::kDiffers,
                         std::to_string(result->differing_blocks) + " block(s) differ in [" +
                             std::to_string(result->offset) + ", +" + std::to_string(result->length) +
                             "), first at byte " + std::to_string(result->first_differing_offset) +
                             "; replication repairs the replica",
                         compared);
    }
  }
  FinishRound(Outcome::kSame, "", compared);
}

void OnlineVerifier::FinishRound(Outcome outcome, const std::string& reason, uint64_t compared) {
  const char* name = kOutcomeNames[static_cast<int>(outcome)];
  std::lock_guard lock(mutex_);
  status_.running = false;
  status_.round_finished_ms = NowUnixMillis();
  status_.outcome = name;
  status_.reason = reason;
  status_.round_bytes = compared;
  if (outcome == Outcome::kSame) {
    spdlog::info("online verify of {}: {} bytes compared with the replica, no difference", stack_->name(),
                 compared);
  } else {
    spdlog::warn("online verify of {}: {} after {} bytes: {}", stack_->name(), name, compared, reason);
  }
}

}  // namespace cdr::agent
