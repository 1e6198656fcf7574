// policy.json of a server directory, written by the provider: {"every_seconds": N, "keep": K}. Scheduled
// points are due at multiples of every_seconds since the epoch, so servers on one schedule share the
// instants. No file means no history at all (no base, no points, no pruning): the shadow behaves as before
// history.
#pragma once

#include <cstdint>
#include <ctime>
#include <filesystem>
#include <optional>

#include "common/status.h"

namespace cdr::shadow {

struct RecoveryPolicy {
  uint64_t every_seconds = 0;
  uint64_t keep = 0;
};

// kInvalidArgument naming the file and field for a bad one.
Result<RecoveryPolicy> ParseRecoveryPolicy(const std::filesystem::path& path);

// Re-reads policy.json when its mtime changes. A bad file is logged once (per change) and ignored: the
// previous policy stays in force, so an operator's typo never stops replication or history.
class PolicyWatcher {
 public:
  explicit PolicyWatcher(std::filesystem::path path) : path_(std::move(path)) {}
  // The policy in force; checks the file at most once per call. Not thread-safe (the owner locks).
  const std::optional<RecoveryPolicy>& Current();

 private:
  const std::filesystem::path path_;
  bool seen_ = false;
  timespec mtime_{};
  off_t size_ = -1;
  std::optional<RecoveryPolicy> policy_;
};

}  // namespace cdr::shadow
