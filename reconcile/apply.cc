#include "reconcile/apply.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "reconcile/address.h"
#include "reconcile/apply_order.h"
#include "reconcile/internal/step_context.h"
#include "reconcile/operation.h"
#include "reconcile/resource_kind.h"

namespace cdr::reconcile {
namespace {

Status RunStep(internal::StepContext& ctx) {
  switch (ctx.change.kind) {
    case ResourceKind::kGroup:
      return internal::ApplyGroupChange(ctx);
    case ResourceKind::kPeering:
    case ResourceKind::kEndpoint:
      return internal::ApplyNetworkChange(ctx);
    case ResourceKind::kShadowHost:
      return internal::ApplyShadowHostChange(ctx);
    case ResourceKind::kServer:
      return internal::ApplyServerChange(ctx);
    case ResourceKind::kDrHost:
      return internal::ApplyDrHostChange(ctx);
  }
  return InvalidArgument(std::string("unknown resource kind ") + ResourceKindName(ctx.change.kind));
}

// "Registering", "Starting replication", …; the plain operations by their action ("Creating").
std::string Progressive(const ResourceChange& c) {
  if (*OperationProgressive(c.operation) != '\0') return OperationProgressive(c.operation);
  switch (c.action) {
    case Action::kCreate:
      return "Creating";
    case Action::kUpdate:
      return "Modifying";
    case Action::kDelete:
      return "Destroying";
    case Action::kReplace:
      return "Replacing";
    default:
      return "Working on";
  }
}

// Runs a plan's steps on up to `parallelism` threads. A step starts once every earlier step it conflicts with
// (apply_order.h) has finished, so with one thread the steps run exactly in the plan's order.
//
//   waiting ──(its dependencies finished)──► running ──► done
//      └──(an earlier step of its group or server failed, or the lock was lost)──► done (skipped)
class ParallelApply {
 public:
  ParallelApply(const Plan& plan, state::StateStore& store, providers::ResourceProvider& provider,
                const ApplyOptions& options)
      : changes_(plan.changes),
        deps_(StepDependencies(plan.changes)),
        store_(store),
        provider_(provider),
        options_(options),
        shared_(options),
        steps_(changes_.size()),
        phase_(changes_.size(), Phase::kWaiting) {
    // The callers' callbacks see one step's report at a time.
    shared_.report = [this](const std::string& line) {
      std::lock_guard<std::mutex> lock(report_mu_);
      options_.report(line);
    };
    shared_.progress = [this](const ReplicationProgress& p) {
      std::lock_guard<std::mutex> lock(report_mu_);
      options_.progress(p);
    };
  }

  ApplyResult Run() {
    const int threads = std::clamp(options_.parallelism, 1, static_cast<int>(changes_.size()));
    std::vector<std::thread> workers;
    for (int i = 1; i < threads; ++i) workers.emplace_back([this] { Work(); });
    Work();
    for (auto& w : workers) w.join();
    return ApplyResult{std::move(steps_)};
  }

 private:
  enum class Phase { kWaiting, kRunning, kDone };

  void Work() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      const size_t next = NextReady();
      if (next == changes_.size()) {
        if (done_ == changes_.size()) return;
        ready_.wait(lock);
        continue;
      }
      phase_[next] = Phase::kRunning;
      const ResourceChange& change = changes_[next];
      StepOutcome outcome{change.address, change.operation};
      if (std::string why = SkipReason(change); !why.empty()) {
        outcome.skipped = true;
        outcome.error = "skipped: " + why;
        lock.unlock();
        shared_.report(change.address + ": " + outcome.error);
      } else {
        lock.unlock();
        outcome = Execute(change);
      }
      const std::string lost = outcome.skipped ? "" : RenewLock();
      lock.lock();
      Record(next, std::move(outcome), lost);
      ready_.notify_all();
    }
  }

  // The first waiting step whose dependencies are done; changes_.size() when none is.
  size_t NextReady() const {
    for (size_t i = 0; i < changes_.size(); ++i) {
      if (phase_[i] != Phase::kWaiting) continue;
      const bool ready = std::all_of(deps_[i].begin(), deps_[i].end(),
                                     [this](size_t d) { return phase_[d] == Phase::kDone; });
      if (ready) return i;
    }
    return changes_.size();
  }

  // Why `change` must not run; empty when it may. The failures it looks at are of steps it depends on, so
  // they are final by the time it is ready, and the answer is the same however the threads interleave.
  std::string SkipReason(const ResourceChange& change) const {
    if (!lock_lost_.empty()) return lock_lost_;
    const std::string group = GroupOf(change.address);
    if (failed_groups_.count(group)) return "an earlier step of group " + group + " failed";
    const std::string server = ServerOf(change.address);
    if (!server.empty() && failed_servers_.count(server)) return "an earlier step of " + server + " failed";
    return "";
  }

  StepOutcome Execute(const ResourceChange& change) {
    StepOutcome outcome{change.address, change.operation};
    shared_.report(change.address + ": " + Progressive(change) + "...");
    const auto start = std::chrono::steady_clock::now();
    auto job = store_.StartJob(change.address, OperationName(change.operation));
    Status status = job.status();
    if (job.ok()) {
      internal::StepContext ctx{change, store_, provider_, *job, shared_};
      try {
        status = RunStep(ctx);
      } catch (const std::exception& e) {
        // On a worker thread an exception would end the process mid-apply; it fails this step instead.
        status = Internal(std::string(OperationName(change.operation)) + " of " + change.address +
                          " threw: " + e.what());
      }
      Status finished =
          store_.FinishJob(*job, status.ok() ? state::JobStatus::kSucceeded : state::JobStatus::kFailed,
                           status.ok() ? "" : status.ToString());
      if (status.ok()) status = finished;
    }
    outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    outcome.ok = status.ok();
    if (status.ok()) {
      shared_.report(fmt::format("{}: {} complete after {:.1f}s", change.address,
                                 OperationName(change.operation), outcome.seconds));
    } else {
      outcome.error = status.ToString();
      spdlog::debug("{}: {} failed: {}", change.address, OperationName(change.operation), status.ToString());
      shared_.report(change.address + ": " + OperationName(change.operation) +
                     " failed: " + status.message());
    }
    return outcome;
  }

  // Renews the state lock after a step; the reason to stop when someone force-unlocked or took over the state
  // (going on would race their changes), else empty.
  std::string RenewLock() {
    if (options_.lock_id.empty()) return "";
    Status renewed = store_.RenewLock(options_.lock_id, options_.lock_ttl_millis);
    if (renewed.ok()) return "";
    shared_.report("stopping: " + renewed.message());
    return renewed.message();
  }

  void Record(size_t index, StepOutcome outcome, const std::string& lock_lost) {
    const ResourceChange& change = changes_[index];
    if (!outcome.ok && !outcome.skipped) {
      // The group's servers need its group, peering and endpoint; a server failing does not stop its
      // siblings.
      const std::string server = ServerOf(change.address);
      if (server.empty()) failed_groups_.insert(GroupOf(change.address));
      if (!server.empty()) failed_servers_.insert(server);
    }
    if (!lock_lost.empty() && lock_lost_.empty()) lock_lost_ = lock_lost;
    steps_[index] = std::move(outcome);
    phase_[index] = Phase::kDone;
    ++done_;
  }

  const std::vector<ResourceChange>& changes_;
  const std::vector<std::vector<size_t>> deps_;
  state::StateStore& store_;
  providers::ResourceProvider& provider_;
  const ApplyOptions& options_;
  ApplyOptions shared_;  // options_ with callbacks safe to call from every worker
  std::mutex report_mu_;

  std::mutex mu_;  // guards what follows
  std::condition_variable ready_;
  std::vector<StepOutcome> steps_;  // in plan order
  std::vector<Phase> phase_;
  size_t done_ = 0;
  std::set<std::string> failed_groups_;
  std::set<std::string>
      failed_servers_;  // a server's later steps (start after its shadow host, …) need the earlier
  std::string lock_lost_;
};

}  // namespace

int ApplyResult::Failed() const {
  int n = 0;
  for (const auto& s : steps) n += (!s.ok || s.skipped) ? 1 : 0;
  return n;
}

int ApplyResult::Succeeded() const { return static_cast<int>(steps.size()) - Failed(); }

ApplyResult Apply(const Plan& plan, state::StateStore& store, providers::ResourceProvider& provider,
                  const ApplyOptions& options) {
  // We hold the lock, so a job still `running` belongs to an apply that died mid-step.
  store.AbandonRunningJobs("interrupted: the apply running this step stopped before it finished");
  if (!plan.HasChanges()) return {};
  store.BumpSerial();  // before the first side effect, so a plan made before this apply is stale afterwards
  return ParallelApply(plan, store, provider, options).Run();
}

}  // namespace cdr::reconcile
