// A server's online verify as its agent reports it (agent/online_verifier.h, docs/agent.md "Online verify"), for
// `cdr status` and `cdr verify`. Of the server's disks the least reassuring outcome wins: a difference, then a
// round that failed or was skipped, then a disk never verified since its agent started (unknown), then "same".
// Only a live answer has one; without it the verify is unknown, never "same".
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "agent/replication_control.h"

namespace cdr::reconcile {

enum class VerifyOutcome { kDiffers, kFailed, kSkipped, kUnknown, kSame };  // worst first
const char* VerifyOutcomeName(VerifyOutcome outcome);  // "differs", …, "unknown", "same"
// The outcome an agent names (DiskVerifyStatus::outcome): "" (no round yet) and a name this cdr does not know
// are kUnknown, never kSame.
VerifyOutcome VerifyOutcomeOf(const std::string& agent_name);

struct VerifySummary {
  VerifyOutcome outcome = VerifyOutcome::kUnknown;
  std::string disk;    // the disk the outcome is of
  std::string reason;  // why it failed or was skipped; where it differs
  int64_t finished_ms = 0;      // that disk's newest round (0: none since its agent started)
  uint64_t round_bytes = 0;     // what that round compared
  uint64_t bytes_compared = 0;  // all disks since their agent started
  uint64_t differences = 0;     // ranges found different, all disks since their agent started
  bool running = false;         // a round is under way on some disk
};

VerifySummary SummarizeVerify(const agent::AgentStatus& status);
// "same, 2026-12-07T03:20:00Z (64.0 MiB compared)", "DIFFERS on vda: … (…)", "unknown: no round since …".
std::string DescribeVerify(const VerifySummary& summary);
nlohmann::json VerifyToJson(const VerifySummary& summary);

}  // namespace cdr::reconcile
