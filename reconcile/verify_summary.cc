#include "reconcile/verify_summary.h"

#include <fmt/format.h>

#include "common/clock.h"
#include "common/human_bytes.h"

namespace cdr::reconcile {
namespace {

struct OutcomeName {
  VerifyOutcome outcome;
  const char* name;  // as the agent reports it (DiskVerifyStatus::outcome); "" is unknown
  const char* shown;
};
constexpr OutcomeName kOutcomes[] = {
    {VerifyOutcome::kDiffers, "differs", "differs"}, {VerifyOutcome::kFailed, "failed", "failed"},
    {VerifyOutcome::kSkipped, "skipped", "skipped"}, {VerifyOutcome::kUnknown, "", "unknown"},
    {VerifyOutcome::kSame, "same", "same"},
};

}  // namespace

VerifyOutcome VerifyOutcomeOf(const std::string& agent_name) {
  for (const OutcomeName& o : kOutcomes) {
    if (agent_name == o.name) return o.outcome;
  }
  return VerifyOutcome::kUnknown;
}

const char* VerifyOutcomeName(VerifyOutcome outcome) {
  for (const OutcomeName& o : kOutcomes) {
    if (o.outcome == outcome) return o.shown;
  }
  return "unknown";
}

VerifySummary SummarizeVerify(const agent::AgentStatus& status) {
  VerifySummary summary;
  bool first = true;
  for (const agent::DiskReplicationStatus& d : status.disks) {
    summary.bytes_compared += d.verify.bytes_compared;
    summary.differences += d.verify.differences;
    summary.running = summary.running || d.verify.running;
    const VerifyOutcome outcome = VerifyOutcomeOf(d.verify.outcome);
    // The worst outcome; among equals the oldest round, so "same" is only as recent as its oldest disk.
    if (first || outcome < summary.outcome ||
        (outcome == summary.outcome && d.verify.round_finished_ms < summary.finished_ms)) {
      summary.outcome = outcome;
      summary.disk = d.disk;
      summary.reason = d.verify.reason;
      summary.finished_ms = d.verify.round_finished_ms;
      summary.round_bytes = d.verify.round_bytes;
      first = false;
    }
  }
  return summary;
}

std::string DescribeVerify(const VerifySummary& s) {
  const std::string when = s.finished_ms > 0 ? FormatRfc3339(s.finished_ms) : "";
  switch (s.outcome) {
    case VerifyOutcome::kSame:
      return fmt::format("same as the replica, {} ({} compared)", when, HumanBytes(s.round_bytes));
    case VerifyOutcome::kDiffers:
      return fmt::format("REPLICA DIFFERS on {} ({}): {}", s.disk, when, s.reason);
    case VerifyOutcome::kFailed:
    case VerifyOutcome::kSkipped:
      return fmt::format("{} on {} ({}): {}", VerifyOutcomeName(s.outcome), s.disk, when, s.reason);
    case VerifyOutcome::kUnknown:
      break;
  }
  return s.running ? "unknown: the first round is running" : "unknown: no round since the agent started";
}

nlohmann::json VerifyToJson(const VerifySummary& s) {
  return {
      {"outcome", VerifyOutcomeName(s.outcome)},
      {"disk", s.disk},
      {"reason", s.reason},
      {"finished_at", s.finished_ms > 0 ? nlohmann::json(FormatRfc3339(s.finished_ms)) : nlohmann::json()},
      {"round_bytes", s.round_bytes},
      {"bytes_compared", s.bytes_compared},
      {"differences", s.differences},
      {"running", s.running}};
}

}  // namespace cdr::reconcile
