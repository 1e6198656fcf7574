// Replication transitions of a protected server, commanded through its agent's control API
// (docs/state-machine.md):
//
//   start_replication   → replication_starting ──Start──► wait: full_sync … realtime
//   stop_replication    → *_stopping ──Stop──► wait: *_stopped
//   repair              → repair_starting ──Repair──► wait: repairing … realtime (──Start(new target)── when
//                       the shadow host restarted on a new address since the agent went into error)
//   restart_agent       InstallAgent again (restarts the process; journal and bitmap are kept)
//   retarget_replication (the shadow host restarted on a new address; the agent refuses a new target while
//                        streaming) → *_stopping ──Stop──► wait: *_stopped → as start_replication
//
// The state is written before each command and every state the agent reports while apply waits is written as
// a job event, so an apply killed mid-wait leaves the last observed state and the next plan starts from the
// agent's.
//
// Reverse replication during a failback is this same code: start_reverse_replication,
// stop_reverse_replication, reverse_repair and retarget_reverse_replication command the DR host's reverse
// agent (the server's `reverse_agent`) and show its forward states in their reverse_* form
// (reverse_states.h). A shadow host whose replicas were seeded (`seeded`) is started with compare_first: only
// the differing blocks travel.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "providers/process_status.h"
#include "providers/types/agent.h"
#include "providers/types/shadow_host.h"
#include "reconcile/address.h"
#include "reconcile/agent_settings.h"
#include "reconcile/internal/production_seqs.h"
#include "reconcile/internal/server_transitions.h"
#include "reconcile/internal/step_context.h"
#include "reconcile/observed_state.h"
#include "reconcile/reverse_states.h"
#include "reconcile/server_state.h"
#include "state/record_status.h"

namespace cdr::reconcile::internal {
namespace {

using Clock = std::chrono::steady_clock;

bool Reverse(const StepContext& ctx) {
  switch (ctx.change.operation) {
    case Operation::kStartReverseReplication:
    case Operation::kStopReverseReplication:
    case Operation::kReverseRepair:
    case Operation::kRetargetReverseReplication:
      return true;
    default:
      return false;
  }
}

// The agent this step commands: production's, or the DR host's reverse agent during a failback.
std::string AgentHost(const StepContext& ctx, const state::ResourceRecord& r) {
  return r.attributes.value(Reverse(ctx) ? "reverse_agent" : "host", "");
}

// The server's name for a state the agent reports, and back.
std::string Shown(const StepContext& ctx, const std::string& agent_state) {
  const std::string_view reverse = Reverse(ctx) ? ReverseState(agent_state) : std::string_view();
  return reverse.empty() ? agent_state : std::string(reverse);
}
std::string Shown(const StepContext& ctx, ServerState agent_state) {
  return Shown(ctx, std::string(ServerStateName(agent_state)));
}
std::string AgentState(const StepContext& ctx, const std::string& server_state) {
  const std::string_view forward = Reverse(ctx) ? ForwardState(server_state) : std::string_view();
  return forward.empty() ? server_state : std::string(forward);
}
// The state the agent is in by the server's record; nullopt for a name this cdr does not know.
std::optional<ServerState> AgentStateOf(const StepContext& ctx, const std::string& server_state) {
  return ParseServerState(AgentState(ctx, server_state));
}

struct AgentHandle {
  providers::Agent agent;
  std::unique_ptr<agent::ReplicationControl> control;
};

Result<AgentHandle> Connect(StepContext& ctx, const std::string& host) {
  if (!ctx.options.connect) return FailedPrecondition("this apply has no way to reach agents");
  auto agent = providers::types::ReadAgent(ctx.provider, host);
  if (!agent.ok()) return agent.status();
  if (providers::ProcessStatusOf(*agent) != providers::ProcessStatus::kRunning) {
    return FailedPrecondition("the agent on " + host + " is " + agent->status +
                              "; the plan restarts it first when it sees that (run cdr plan again)");
  }
  auto control = ctx.options.connect(*agent);
  return AgentHandle{std::move(*agent), std::move(control)};
}

// The server's record with the spec's settings of this change merged in.
Result<state::ResourceRecord> Current(StepContext& ctx) {
  auto existing = ctx.store.Get(ctx.change.address);
  if (!existing) return NotFound(ctx.change.address + " is no longer in the state");
  state::ResourceRecord r = *existing;
  if (ctx.change.after.is_object()) {
    for (const auto& [key, value] : ctx.change.after.items()) r.attributes[key] = value;
  }
  return r;
}

// Writes what the agent reports; a state change is a job event like any other transition.
Status Observe(StepContext& ctx, state::ResourceRecord& r, const agent::AgentStatus& reported) {
  agent::AgentStatus status = reported;
  status.state = Shown(ctx, reported.state);
  const std::string from = r.status;
  if (!MergeObservation(status, &r)) return ctx.store.Put(r);
  r.status = from;
  return ctx.Transition(r, status.state, "reported by the agent");
}

ReplicationProgress ProgressOf(const StepContext& ctx, const agent::AgentStatus& status, Clock::time_point start) {
  ReplicationProgress p;
  p.address = ctx.change.address;
  p.operation = ctx.change.operation;
  p.state = status.state;
  p.progress_percent = OverallProgress(status);
  for (const auto& d : status.disks) {
    p.bytes_sent += d.full_sync_bytes_sent + d.repair_bytes_sent;
    p.size_bytes += d.size_bytes;
  }
  p.lag_seconds = LiveRpoSeconds(status);  // -1 while syncing: no RPO until the replica is consistent
  p.elapsed_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return p;
}

// The agent's (forward) state as it reports it, parsed; nullopt for a name this cdr does not know.
using Reported = std::optional<ServerState>;

struct WaitGoal {
  std::string name;  // for messages: "realtime"
  std::function<bool(Reported)> done;
  // States from before the command took effect: an agent may still report them on the first polls.
  std::function<bool(Reported)> stale;
  // Gives up sooner than the deadline when the agent stops answering for this long (zero: only the deadline).
  std::chrono::seconds unanswered_limit{0};
};

// Long enough for an agent busy with a large sync to miss a few polls, short enough not to look hung.
constexpr std::chrono::seconds kStopUnansweredLimit{60};
constexpr std::chrono::milliseconds kReversePoll{25};

// Polls the agent until `goal.done` holds for its state. replication_error ends the wait with the agent's error
// unless it is what the step waits for; so does the deadline (the agent goes on: cdr status follows it).
Status WaitFor(StepContext& ctx, state::ResourceRecord& r, agent::ReplicationControl& control,
               const WaitGoal& goal) {
  const auto start = Clock::now();
  const auto deadline = start + ctx.options.wait_timeout;
  std::string last_error;
  bool moved = false;
  auto last_answer = start;
  while (true) {
    auto status = control.GetStatus();
    if (status.ok()) last_answer = Clock::now();
    const Reported reported = status.ok() ? ParseServerState(status->state) : std::nullopt;
    moved = moved || (status.ok() && !goal.stale(reported));
    if (status.ok() && !moved) {
      last_error = "the agent still reports " + status->state;
    } else if (status.ok()) {
      const auto& done = goal.done;
      CDR_RETURN_IF_ERROR(Observe(ctx, r, *status));
      ReplicationProgress p = ProgressOf(ctx, *status, start);
      const bool finished = done(reported);
      const bool failed = !finished && reported == ServerState::kReplicationError;
      p.finished = finished || failed;
      ctx.options.progress(p);
      ctx.store.UpdateJobProgress(ctx.job_id, static_cast<int>(p.progress_percent));
      if (finished) return Status::Ok();
      if (failed) {
        const std::string why = FirstDiskError(*status);
        return Aborted(r.address + " went to replication_error while waiting for " + goal.name +
                       (why.empty() ? "" : ": " + why));
      }
    } else {
      // An agent busy or restarting may miss a poll; only the deadline gives up on it.
      last_error = status.status().ToString();
      spdlog::debug("{}: status poll failed: {}", r.address, last_error);
      if (goal.unanswered_limit.count() > 0 && Clock::now() - last_answer >= goal.unanswered_limit) {
        return Unavailable(r.address + ": the agent stopped answering for " +
                           std::to_string(goal.unanswered_limit.count()) + " s while waiting for " + goal.name +
                           " (now " + r.status + "; last poll: " + last_error +
                           "). Run cdr plan again once it answers, or stop the agent process (on the local cloud: "
                           "`cdr local down`): a stopped agent is restarted or deregistered without it");
      }
    }
    if (Clock::now() >= deadline) {
      return Unavailable(r.address + " did not reach " + goal.name + " within " +
                         std::to_string(std::chrono::duration_cast<std::chrono::seconds>(ctx.options.wait_timeout).count()) +
                         " s (now " + r.status + (last_error.empty() ? "" : "; last poll: " + last_error) +
                         "); the agent goes on, `cdr status` follows it");
    }
    // A failback's apply waits for reverse realtime before its cutover: poll it closely.
    std::this_thread::sleep_for(Reverse(ctx) ? std::min(ctx.options.poll_interval, kReversePoll)
                                             : ctx.options.poll_interval);
  }
}

// A refused or failed command leaves the state where the agent is (or where it was before the step).
Status CommandFailed(StepContext& ctx, state::ResourceRecord& r, agent::ReplicationControl& control,
                     const std::string& before, const std::string& what, const Status& failure) {
  r.attributes["last_error"] = what + ": " + failure.message();
  auto status = control.GetStatus();
  const std::string shown = status.ok() ? Shown(ctx, status->state) : "";
  const std::string back = status.ok() && IsKnownServerState(shown) ? shown : before;
  if (status.ok()) {
    agent::AgentStatus named = *status;
    named.state = shown;
    MergeObservation(named, &r);
  }
  CDR_RETURN_IF_ERROR(ctx.Transition(r, back, what + " failed: " + failure.message()));
  return failure;
}

bool Streaming(Reported state) {
  return IsOneOf(state, {ServerState::kReplicationStarting, ServerState::kFullSync, ServerState::kRealtime});
}

bool Stopped(Reported state) {
  return IsOneOf(state,
                 {ServerState::kFullSyncStopped, ServerState::kRealtimeStopped, ServerState::kInitialized});
}
bool Realtime(Reported state) { return state == ServerState::kRealtime; }
bool Syncing(Reported state) { return IsOneOf(state, {ServerState::kFullSync, ServerState::kRealtime}); }

struct ShadowTarget {
  std::string id;
  std::string address;
  bool seeded = false;  // its replicas hold most of the data already: the agent compares first
};

// Where the server's shadow host listens now (the provider's word: a restart moves it), written to its record.
Result<ShadowTarget> CurrentShadow(StepContext& ctx, const std::string& server_address) {
  auto record = ctx.store.Get(ShadowHostAddress(server_address));
  if (!record || state::RecordStatusOf(*record) != state::RecordStatus::kCreated) {
    return FailedPrecondition(server_address + " has no shadow host to replicate to; run cdr plan again");
  }
  auto shadow = providers::types::ReadShadowHost(ctx.provider, record->provider_id);
  if (!shadow.ok()) return shadow.status();
  if (providers::ProcessStatusOf(*shadow) != providers::ProcessStatus::kRunning) {
    return FailedPrecondition("shadow host " + shadow->id + " of " + server_address + " is " + shadow->status +
                              "; run cdr plan again: it restarts it first");
  }
  if (record->attributes.value("replication_address", "") != shadow->replication_address) {
    record->attributes["replication_address"] = shadow->replication_address;
    CDR_RETURN_IF_ERROR(ctx.store.Put(*record));
  }
  const nlohmann::json& a = record->attributes;
  // A new production host's empty disks (failback, restore_to_original = false) are filled by a full sync.
  const bool seeded = a.value("compare_first", true) &&
                      (!a.value("replicas_are_disks_of", "").empty() || !a.value("seed_from_dr_host", "").empty());
  return ShadowTarget{shadow->id, shadow->replication_address, seeded};
}

// The server's agent, after writing what it reports now to `r`. An agent that does not answer is not an error
// here: the step's command then fails and says why.
Result<AgentHandle> ConnectAndObserve(StepContext& ctx, state::ResourceRecord& r) {
  auto handle = Connect(ctx, AgentHost(ctx, r));
  if (!handle.ok()) return handle.status();
  if (auto live = handle->control->GetStatus(); live.ok()) CDR_RETURN_IF_ERROR(Observe(ctx, r, *live));
  return handle;
}

// Starts (unless already streaming) and waits for realtime; `r` holds the agent's latest report.
Status StartAndWait(StepContext& ctx, state::ResourceRecord& r, agent::ReplicationControl& control,
                    const ShadowTarget& shadow, bool second_try = false) {
  const std::string host = AgentHost(ctx, r);
  // From replication_error (a stopped repair) the start is a repair, and the error may still show on a first
  // poll.
  const bool from_error = AgentStateOf(ctx, r.status) == ServerState::kReplicationError;
  if (!Streaming(AgentStateOf(ctx, r.status))) {
    const std::string before = r.status;
    const std::string& address = shadow.address;
    // Reverse replication into production's own disks: what they hold decides how much the compare covers.
    const ProductionSeqs production = Reverse(ctx) && shadow.seeded
                                          ? FencedProductionSeqs(ctx, r.attributes.value("host", ""))
                                          : ProductionSeqs{};
    const std::string compare =
        !shadow.seeded  ? ""
        : !Reverse(ctx) ? " (seeded replicas: compare first, send what differs)"
        : production.seqs.empty()
            ? " (compare the whole disks, send what differs: " + production.why + ")"
            : " (send the blocks changed since the failover where the DR host's change map covers "
              "production's seqs, else compare the whole disk and send what differs: " +
                  production.why + ")";
    CDR_RETURN_IF_ERROR(
        ctx.Transition(r, Shown(ctx, ServerState::kReplicationStarting),
                       "start replication to shadow host " + shadow.id + " at " + address + compare));
    agent::ReplicationTarget target;
    target.production_seqs = production.seqs;
    target.shadow_address = address;
    target.server_id = host;
    target.compare_first = shadow.seeded;
    target.auto_restart = r.attributes.value("auto_restart", true);
    target.group = GroupOf(r.address);
    target.server_name = LeafName(r.address);
    if (!Reverse(ctx))
      ApplyManagedSettings(r.attributes, &target);  // the spec's settings are production's agent's
    if (Status started = control.Start(target); !started.ok()) {
      return CommandFailed(ctx, r, control, before, "start", started);
    }
    r.attributes.erase("last_error");
    CDR_RETURN_IF_ERROR(ctx.store.Put(r));
  }
  if (!ctx.options.wait) return Status::Ok();
  const WaitGoal realtime{"realtime", Realtime, [from_error](Reported s) {
                            return Stopped(s) || (from_error && s == ServerState::kReplicationError);
                          }};
  Status waited = WaitFor(ctx, r, control, realtime);
  if (waited.code() != StatusCode::kAborted || second_try) return waited;
  // An agent restarted after a crash also resumes towards the address it had, by itself: when that attempt
  // fails after this start, the error names the old target, not this one. Such an error is not this start's
  // outcome: start once more towards `shadow` (the agent accepts a start from replication_error).
  auto now = control.GetStatus();
  if (!now.ok() || ParseServerState(now->state) != ServerState::kReplicationError ||
      now->shadow_address == shadow.address) {
    return waited;
  }
  spdlog::info("{}: the agent's error is for {}, not {}: starting it again", r.address, now->shadow_address,
               shadow.address);
  return StartAndWait(ctx, r, control, shadow, /*second_try=*/true);
}

Status StartReplication(StepContext& ctx) {
  auto current = Current(ctx);
  if (!current.ok()) return current.status();
  state::ResourceRecord r = std::move(*current);
  auto shadow = CurrentShadow(ctx, r.address);
  if (!shadow.ok()) return shadow.status();
  auto handle = ConnectAndObserve(ctx, r);
  if (!handle.ok()) return handle.status();
  agent::ReplicationControl& control = *handle->control;
  return StartAndWait(ctx, r, control, *shadow);
}

// Stops the agent's replication for `why` and, when `wait`, waits until it is stopped. A repair (an agent
// restarted after a crash resyncs first) stops into replication_error ("repair interrupted"), whose start is a
// repair again; an agent not replicating is only waited for.
Status StopStreaming(StepContext& ctx, state::ResourceRecord& r, agent::ReplicationControl& control,
                     const std::string& why, bool wait) {
  const Reported agent_state = AgentStateOf(ctx, r.status);
  const bool repairing = IsOneOf(agent_state, {ServerState::kRepairStarting, ServerState::kRepairing});
  if (IsReplicating(agent_state)) {
    const std::string before = r.status;
    if (!repairing) {
      CDR_RETURN_IF_ERROR(ctx.Transition(
          r, Shown(ctx, Realtime(agent_state) ? ServerState::kRealtimeStopping : ServerState::kFullSyncStopping),
          why));
    }
    if (Status stop = control.Stop(); !stop.ok()) {
      if (stop.code() == StatusCode::kUnavailable) {
        return CommandFailed(
            ctx, r, control, before, "stop",
            Unavailable(stop.message() +
                        ". The agent runs but does not answer: run cdr plan again once it answers, or stop the "
                        "agent process (on the local cloud: `cdr local down`)"));
      }
      return CommandFailed(ctx, r, control, before, "stop", stop);
    }
  }
  if (!wait) return Status::Ok();
  auto stopped = [repairing](Reported s) { return Stopped(s) || (repairing && s == ServerState::kReplicationError); };
  return WaitFor(ctx, r, control, {"a stopped state", stopped, Syncing, kStopUnansweredLimit});
}

// The agent refuses another target while it streams, so a stream to a restarted shadow host's old address is
// stopped first; the start then resumes from the stopped state (the replica kept everything acknowledged).
Status RetargetReplication(StepContext& ctx) {
  auto current = Current(ctx);
  if (!current.ok()) return current.status();
  state::ResourceRecord r = std::move(*current);
  auto shadow = CurrentShadow(ctx, r.address);
  if (!shadow.ok()) return shadow.status();
  auto handle = Connect(ctx, AgentHost(ctx, r));
  if (!handle.ok()) return handle.status();
  agent::ReplicationControl& control = *handle->control;
  auto live = control.GetStatus();
  if (!live.ok()) {
    return Unavailable(r.address + ": the agent does not answer (" + live.status().message() +
                       "); run cdr apply again once it does");
  }
  CDR_RETURN_IF_ERROR(Observe(ctx, r, *live));
  if (IsReplicating(AgentStateOf(ctx, r.status)) && live->shadow_address != shadow->address) {
    CDR_RETURN_IF_ERROR(StopStreaming(ctx, r, control,
                                      "stop replication to " + live->shadow_address + ", where shadow host " +
                                          shadow->id + " no longer listens",
                                      /*wait=*/true));
  }
  return StartAndWait(ctx, r, control, *shadow);
}

Status StopReplication(StepContext& ctx) {
  auto current = Current(ctx);
  if (!current.ok()) return current.status();
  state::ResourceRecord r = std::move(*current);
  auto handle = ConnectAndObserve(ctx, r);
  if (!handle.ok()) return handle.status();
  if (Stopped(AgentStateOf(ctx, r.status))) return ctx.store.Put(r);
  return StopStreaming(ctx, r, *handle->control, "stop replication", ctx.options.wait);
}

Status Repair(StepContext& ctx) {
  auto current = Current(ctx);
  if (!current.ok()) return current.status();
  state::ResourceRecord r = std::move(*current);
  auto handle = ConnectAndObserve(ctx, r);
  if (!handle.ok()) return handle.status();
  agent::ReplicationControl& control = *handle->control;
  if (AgentStateOf(ctx, r.status) == ServerState::kReplicationError) {
    // A shadow host restarted while the agent was in error listens elsewhere now: starting with the new target
    // repairs towards it (a plain repair would keep knocking at the old address).
    auto shadow = CurrentShadow(ctx, r.address);
    if (!shadow.ok()) return shadow.status();
    auto live = control.GetStatus();
    const bool moved = live.ok() && !live->shadow_address.empty() && live->shadow_address != shadow->address;
    CDR_RETURN_IF_ERROR(ctx.Transition(
        r, Shown(ctx, ServerState::kRepairStarting),
        moved ? "repair towards shadow host " + shadow->id + " at its new address " + shadow->address +
                    " (was " + live->shadow_address + "): compare primary and replica block hashes"
              : "repair: compare primary and replica block hashes"));
    Status command;
    if (moved) {
      agent::ReplicationTarget target;
      target.shadow_address = shadow->address;
      target.server_id = AgentHost(ctx, r);
      target.compare_first = shadow->seeded;
      target.auto_restart = r.attributes.value("auto_restart", true);
      target.group = GroupOf(r.address);
      target.server_name = LeafName(r.address);
      if (!Reverse(ctx)) ApplyManagedSettings(r.attributes, &target);
      command = control.Start(target);
    } else {
      command = control.Repair();
    }
    if (!command.ok()) {
      return CommandFailed(ctx, r, control, Shown(ctx, ServerState::kReplicationError), "repair", command);
    }
  }
  if (!ctx.options.wait) return Status::Ok();
  return WaitFor(ctx, r, control,
                 {"realtime", Realtime, [](Reported s) { return s == ServerState::kReplicationError; }});
}

Status RestartAgent(StepContext& ctx) {
  auto current = Current(ctx);
  if (!current.ok()) return current.status();
  state::ResourceRecord r = std::move(*current);
  const std::string host = r.attributes.value("host", "");
  auto agent = providers::types::CreateAgent(ctx.provider, {host, GroupOf(r.address)});
  if (!agent.ok()) return agent.status();
  if (providers::ProcessStatusOf(*agent) != providers::ProcessStatus::kRunning) {
    return Unavailable("the agent on " + host + " is still " + agent->status + " after reinstalling it");
  }
  CDR_RETURN_IF_ERROR(ctx.store.AddJobEvent(ctx.job_id, r.status, r.status, "agent process restarted on " + host));
  spdlog::info("{}: agent process restarted on {}", r.address, host);
  if (ctx.options.connect) {
    if (auto live = ctx.options.connect(*agent)->GetStatus(); live.ok()) return Observe(ctx, r, *live);
  }
  return ctx.store.Put(r);
}

}  // namespace

Status ApplyReplicationTransition(StepContext& ctx) {
  switch (ctx.change.operation) {
    case Operation::kStartReplication:
    case Operation::kStartReverseReplication:
      return StartReplication(ctx);
    case Operation::kStopReplication:
    case Operation::kStopReverseReplication:
      return StopReplication(ctx);
    case Operation::kRepair:
    case Operation::kReverseRepair:
      return Repair(ctx);
    case Operation::kRestartAgent:
      return RestartAgent(ctx);
    case Operation::kRetargetReplication:
    case Operation::kRetargetReverseReplication:
      return RetargetReplication(ctx);
    default:
      return InvalidArgument(std::string("unknown server transition ") + OperationName(ctx.change.operation));
  }
}

}  // namespace cdr::reconcile::internal
