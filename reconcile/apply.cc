#include "reconcile/apply.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <set>

#include "reconcile/address.h"
#include "reconcile/internal/step_context.h"
#include "reconcile/operation.h"
#include "reconcile/resource_kind.h"

namespace cdr::reconcile {
namespace {

Status RunStep(internal::StepContext& ctx) {
  const auto kind = ParseResourceKind(ctx.change.kind);
  if (!kind) return InvalidArgument("unknown resource kind " + ctx.change.kind);
  switch (*kind) {
    case ResourceKind::kGroup: return internal::ApplyGroupChange(ctx);
    case ResourceKind::kPeering:
    case ResourceKind::kEndpoint: return internal::ApplyNetworkChange(ctx);
    case ResourceKind::kShadowHost: return internal::ApplyShadowHostChange(ctx);
    case ResourceKind::kServer: return internal::ApplyServerChange(ctx);
    case ResourceKind::kDrHost: return internal::ApplyDrHostChange(ctx);
  }
  return InvalidArgument("unknown resource kind " + ctx.change.kind);
}

// "Registering", "Starting replication", …; the plain operations by their action ("Creating").
std::string Progressive(const ResourceChange& c) {
  const auto op = ParseOperation(c.operation);
  if (op && *OperationProgressive(*op) != '\0') return OperationProgressive(*op);
  switch (c.action) {
    case Action::kCreate: return "Creating";
    case Action::kUpdate: return "Modifying";
    case Action::kDelete: return "Destroying";
    case Action::kReplace: return "Replacing";
    default: return "Working on";
  }
}

}  // namespace

int ApplyResult::Failed() const {
  int n = 0;
  for (const auto& s : steps) n += (!s.ok || s.skipped) ? 1 : 0;
  return n;
}

int ApplyResult::Succeeded() const { return static_cast<int>(steps.size()) - Failed(); }

ApplyResult Apply(const Plan& plan, state::StateStore& store, providers::Provider& provider,
                  const ApplyOptions& options) {
  ApplyResult result;
  // We hold the lock, so a job still `running` belongs to an apply that died mid-step.
  store.AbandonRunningJobs("interrupted: the apply running this step stopped before it finished");
  if (!plan.HasChanges()) return result;
  store.BumpSerial();  // before the first side effect, so a plan made before this apply is stale afterwards
  std::set<std::string> failed_groups;
  std::set<std::string> failed_servers;  // a server's later steps (start after its shadow host, …) need the earlier
  std::string lock_lost;
  for (const ResourceChange& change : plan.changes) {
    StepOutcome outcome;
    outcome.address = change.address;
    outcome.operation = change.operation;
    if (!lock_lost.empty()) {
      outcome.skipped = true;
      outcome.error = "skipped: " + lock_lost;
      result.steps.push_back(outcome);
      continue;
    }
    const std::string group = GroupOf(change.address);
    if (failed_groups.count(group)) {
      outcome.skipped = true;
      outcome.error = "skipped: an earlier step of group " + group + " failed";
      options.report(change.address + ": " + outcome.error);
      result.steps.push_back(outcome);
      continue;
    }
    const std::string server = ServerOf(change.address);
    if (!server.empty() && failed_servers.count(server)) {
      outcome.skipped = true;
      outcome.error = "skipped: an earlier step of " + server + " failed";
      options.report(change.address + ": " + outcome.error);
      result.steps.push_back(outcome);
      continue;
    }
    options.report(change.address + ": " + Progressive(change) + "...");
    auto start = std::chrono::steady_clock::now();
    auto job = store.StartJob(change.address, change.operation);
    Status status = job.status();
    if (job.ok()) {
      internal::StepContext ctx{change, store, provider, *job, options};
      status = RunStep(ctx);
      Status finished = store.FinishJob(*job, status.ok() ? state::JobStatus::kSucceeded : state::JobStatus::kFailed,
                                        status.ok() ? "" : status.ToString());
      if (status.ok()) status = finished;
    }
    outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    outcome.ok = status.ok();
    if (status.ok()) {
      options.report(fmt::format("{}: {} complete after {:.1f}s", change.address, change.operation, outcome.seconds));
    } else {
      outcome.error = status.ToString();
      // The group's servers need its group, peering and endpoint; a server failing does not stop its siblings.
      if (server.empty()) failed_groups.insert(group);
      if (!server.empty()) failed_servers.insert(server);
      spdlog::debug("{}: {} failed: {}", change.address, change.operation, status.ToString());
      options.report(change.address + ": " + change.operation + " failed: " + status.message());
    }
    result.steps.push_back(outcome);
    if (options.lock_id.empty()) continue;
    if (Status renewed = store.RenewLock(options.lock_id, options.lock_ttl_millis); !renewed.ok()) {
      // Someone force-unlocked or took over the state: going on would race their changes.
      options.report("stopping: " + renewed.message());
      lock_lost = renewed.message();
    }
  }
  return result;
}

}  // namespace cdr::reconcile
