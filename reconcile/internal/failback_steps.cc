// Failback's apply steps (failback_transitions.h), each written to the state before and after its provider call.
//
//   reverse_register: reverse_registering ──InstallReverseAgent(DR host)──► reverse_initialized
//                     (failed: back to the state it came from, with last_error; the next plan retries)
//   launch_host:      (state unchanged) ──CreateHost(the table's name, shaped like the DR host)──► failback_host
//                     recorded on the server (restore_to_original = false; the same client token again returns it)
//   failback:         failing_back ──Fence(reverse agent), drain (acked seq = journal seq on every disk), Stop,
//                     UninstallAgent(DR host) beside DeleteShadowHost(the receiver), InstallAgent(production) + Unfence
//                     ──► failed_back          (any step failed: failback_error with last_error; the next apply
//                                              runs it again, skipping what is already done)
//   register:         registering ──InstallAgent(production)──► initialized   (failed: back, with last_error)
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <future>
#include <thread>

#include "providers/process_status.h"
#include "providers/types/agent.h"
#include "providers/types/host.h"
#include "providers/types/reverse_agent.h"
#include "providers/types/shadow_host.h"
#include "reconcile/address.h"
#include "reconcile/internal/step_context.h"
#include "reconcile/server_state.h"

namespace cdr::reconcile::internal {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds kCutoverPoll{5};

// Where the DR host's data goes home: the new production host a failback launched, or the server's own.
std::string HomeHost(const state::ResourceRecord& r) {
  const std::string launched = r.attributes.value("failback_host", "");
  return launched.empty() ? r.attributes.value("host", "") : launched;
}

// The server of this change and the record of its failover DR host, which every failback step works on.
struct FailedOverServer {
  state::ResourceRecord record;
  state::ResourceRecord failover;
};
Result<FailedOverServer> ServerAndDrHost(StepContext& ctx, const std::string& doing) {
  auto existing = ctx.store.Get(ctx.change.address);
  if (!existing) return NotFound(ctx.change.address + " is no longer in the state");
  auto failover = ctx.store.Get(FailoverAddress(existing->address));
  if (!failover || failover->provider_id.empty()) {
    return FailedPrecondition("cannot " + doing + " " + existing->address +
                              ": its failover DR host is not in the state");
  }
  return FailedOverServer{*existing, *failover};
}

Status ReverseRegister(StepContext& ctx) {
  auto server = ServerAndDrHost(ctx, "reverse register");
  if (!server.ok()) return server.status();
  state::ResourceRecord r = std::move(server->record);
  const std::string dr_host = server->failover.provider_id;
  // An interrupted registration came from failover_confirmed; a restarted reverse agent keeps its own state.
  const std::string from = ParseServerState(r.status) == ServerState::kReverseRegistering
                               ? ServerStateName(ServerState::kFailoverConfirmed)
                               : r.status;
  CDR_RETURN_IF_ERROR(ctx.Transition(r, "reverse_registering",
                                     "put a cdr-agent in front of DR host " + dr_host + "'s disks"));
  auto agent = providers::types::CreateReverseAgent(ctx.provider, {dr_host, GroupOf(r.address)});
  if (!agent.ok()) {
    r.attributes["last_error"] = agent.status().message();
    CDR_RETURN_IF_ERROR(ctx.Transition(r, from, "reverse registration failed: " + agent.status().message()));
    return agent.status();
  }
  // The DR host's disks are the agent's export from now on: status shows where to reach them.
  state::ResourceRecord dr = server->failover;
  dr.attributes["nbd_address"] = agent->nbd_address;
  dr.attributes["nbd_tls_dir"] = agent->nbd_tls_dir;
  CDR_RETURN_IF_ERROR(ctx.store.Put(dr));
  r.attributes["reverse_agent"] = dr_host;
  r.attributes.erase("last_error");
  r.attributes.erase("observed");
  r.attributes.erase("rpo_seconds");
  const std::string to = ParseServerState(from) == ServerState::kFailoverConfirmed
                             ? ServerStateName(ServerState::kReverseInitialized)
                             : from;
  return ctx.Transition(r, to, "reverse agent " + agent->version + " fronts DR host " + dr_host + "'s disks (NBD " +
                                   agent->nbd_address + "); the DR host is the protected side now");
}

Status LaunchHost(StepContext& ctx) {
  auto server = ServerAndDrHost(ctx, "launch a new production host for");
  if (!server.ok()) return server.status();
  state::ResourceRecord r = std::move(server->record);
  const nlohmann::json& launch = ctx.change.after.at("launch");
  providers::HostRequest request;
  request.name = launch.value("name", "");
  request.client_token = r.address + "/failback-host/" + request.name;
  request.zone = launch.value("zone", "");
  request.vpc = launch.value("vpc", "");
  request.flavor = launch.value("flavor", "");
  request.ip = launch.value("ip", "");
  request.disks_like = server->failover.provider_id;
  // What the disks will hold is what the replaced host's held; unknown when that host is gone.
  if (auto old = providers::types::ReadHost(ctx.provider, r.attributes.value("host", "")); old.ok()) {
    request.filesystem = old->filesystem;
  }
  auto host = providers::types::CreateHost(ctx.provider, request);
  if (!host.ok()) {
    r.attributes["last_error"] = host.status().message();
    CDR_RETURN_IF_ERROR(ctx.store.Put(r));
    return host.status();
  }
  r.attributes["failback_host"] = host->id;
  r.attributes.erase("last_error");
  CDR_RETURN_IF_ERROR(ctx.store.Put(r));
  return ctx.store.AddJobEvent(ctx.job_id, r.status, r.status,
                               "launched new production host " + host->id + " in " + host->zone +
                                   " with empty disks shaped like DR host " + server->failover.provider_id + "'s");
}

// Every write the reverse agent journaled is acknowledged by the receiver, on every disk.
bool Drained(const agent::AgentStatus& s) {
  if (s.disks.empty()) return false;
  for (const auto& d : s.disks) {
    if (ParseServerState(d.state) != ServerState::kRealtime || d.acked_seq != d.journal_seq) return false;
  }
  return true;
}

// Polls the agent until `done` holds for its status; kDeadlineExceeded names what was last seen.
Status PollAgent(StepContext& ctx, agent::ReplicationControl& control, const std::string& goal,
                 const std::function<bool(const agent::AgentStatus&)>& done) {
  const auto deadline = Clock::now() + ctx.options.wait_timeout;
  std::string last = "no answer";
  while (true) {
    auto status = control.GetStatus();
    if (status.ok() && done(*status)) return Status::Ok();
    if (status.ok()) {
      last = status->state;
      for (const auto& d : status->disks) {
        last += ", " + d.disk + " acked " + std::to_string(d.acked_seq) + "/" + std::to_string(d.journal_seq);
      }
    } else {
      last = status.status().message();
    }
    if (Clock::now() >= deadline) {
      return Unavailable("the reverse agent did not reach " + goal + " in time (" + last + ")");
    }
    // The DR host refuses writes from the fence on: these waits are the service's downtime, so poll closely.
    std::this_thread::sleep_for(std::min(ctx.options.poll_interval, kCutoverPoll));
  }
}

// The DR host stops taking writes, its last ones reach production, and its agent and the receiver go.
Status DrainAndStopReverse(StepContext& ctx, state::ResourceRecord& r, const std::string& dr_host) {
  auto agent = providers::types::ReadAgent(ctx.provider, dr_host);
  if (!agent.ok() && agent.status().code() == StatusCode::kNotFound) return Status::Ok();  // an earlier try did it
  if (!agent.ok()) return agent.status();
  if (providers::ProcessStatusOf(*agent) != providers::ProcessStatus::kRunning) {
    return Unavailable("the reverse agent on DR host " + dr_host + " is not running, so its last writes cannot be "
                       "drained; the next apply starts it again");
  }
  if (!ctx.options.connect) return FailedPrecondition("this apply cannot reach agents");
  auto control = ctx.options.connect(*agent);
  CDR_RETURN_IF_ERROR(control->Fence());
  CDR_RETURN_IF_ERROR(ctx.store.AddJobEvent(ctx.job_id, r.status, r.status,
                                            "fenced the reverse agent on DR host " + dr_host + ": it refuses writes"));
  CDR_RETURN_IF_ERROR(PollAgent(ctx, *control, "realtime with every write acknowledged", Drained));
  // What the way home cost, for cdr status: the agent's counters end with it.
  auto drained = control->GetStatus();
  if (!drained.ok()) return drained.status();
  uint64_t sent = 0, repair = 0, full_sync = 0, compared = 0;
  for (const auto& d : drained->disks) {
    sent += d.bytes_sent;
    repair += d.repair_bytes_sent;
    full_sync += d.full_sync_bytes_sent;
    compared += d.repair_compared_bytes;
  }
  r.attributes["failback"] = {{"dr_host", dr_host},
                              {"reverse_bytes_sent", sent},
                              {"reverse_repair_bytes_sent", repair},
                              {"reverse_full_sync_bytes_sent", full_sync},
                              {"reverse_compared_bytes", compared}};
  CDR_RETURN_IF_ERROR(ctx.store.Put(r));
  CDR_RETURN_IF_ERROR(ctx.store.AddJobEvent(ctx.job_id, r.status, r.status,
                                            "drained: production has every write of DR host " + dr_host + " (" +
                                                std::to_string(sent) + " bytes sent by reverse replication)"));
  CDR_RETURN_IF_ERROR(control->Stop());
  CDR_RETURN_IF_ERROR(PollAgent(ctx, *control, "a stopped state", [](const agent::AgentStatus& s) {
    return ParseServerState(s.state) == ServerState::kRealtimeStopped;
  }));
  // Reverse replication has stopped: the reverse agent and its receiver go at once (two provider calls side by
  // side; TakeOver forgets the receiver, and deleting one that is already gone is done).
  std::string receiver_id;
  if (auto receiver = ctx.store.Get(ShadowHostAddress(r.address))) receiver_id = receiver->provider_id;
  std::future<Status> receiver_gone = std::async(std::launch::async, [&ctx, &receiver_id] {
    return receiver_id.empty() ? Status::Ok() : providers::types::DeleteShadowHost(ctx.provider, receiver_id);
  });
  Status agent_gone = providers::types::DeleteAgent(ctx.provider, dr_host);
  Status receiver_status = receiver_gone.get();
  CDR_RETURN_IF_ERROR(agent_gone);
  return receiver_status;
}

Status TakeOver(StepContext& ctx, state::ResourceRecord& r) {
  // The receiver writes production's disks: it goes before production's agent takes writes again.
  if (auto receiver = ctx.store.Get(ShadowHostAddress(r.address))) {
    if (!receiver->provider_id.empty())
      CDR_RETURN_IF_ERROR(providers::types::DeleteShadowHost(ctx.provider, receiver->provider_id));
    CDR_RETURN_IF_ERROR(ctx.store.Delete(receiver->address));
  }
  const std::string host = HomeHost(r);
  auto agent = providers::types::CreateAgent(ctx.provider,
                                             {host, GroupOf(r.address)});  // starts it when it was stopped
  if (!agent.ok()) return agent.status();
  if (!ctx.options.connect) return FailedPrecondition("this apply cannot reach agents");
  CDR_RETURN_IF_ERROR(ctx.options.connect(*agent)->Unfence());
  r.attributes["fenced"] = false;
  r.attributes.erase("fence_error");
  const std::string replaced = r.attributes.value("host", "");
  if (host == replaced) return Status::Ok();
  // The new host is the server's from now on; the replaced one leaves protection (a host that is gone is fine).
  if (Status s = providers::types::DeleteAgent(ctx.provider, replaced);
      !s.ok() && s.code() != StatusCode::kNotFound)
    return s;
  r.attributes["host"] = host;
  r.attributes["replaced_host"] = replaced;
  r.attributes.erase("failback_host");
  r.provider_id = host;
  return ctx.store.AddJobEvent(ctx.job_id, r.status, r.status,
                               host + " is the server's host now; the agent on " + replaced + " is uninstalled");
}

Status Failback(StepContext& ctx) {
  auto server = ServerAndDrHost(ctx, "fail back");
  if (!server.ok()) return server.status();
  state::ResourceRecord r = std::move(server->record);
  const std::string dr_host = server->failover.provider_id;
  const std::string host = HomeHost(r);
  CDR_RETURN_IF_ERROR(ctx.Transition(r, "failing_back",
                                     "fence DR host " + dr_host + ", drain its last writes into " + host +
                                         ", stop reverse replication, then " + host + " takes writes again"));
  Status s = DrainAndStopReverse(ctx, r, dr_host);
  if (s.ok()) s = TakeOver(ctx, r);
  if (!s.ok()) {
    r.attributes["last_error"] = s.message();
    CDR_RETURN_IF_ERROR(ctx.Transition(r, "failback_error", "failback failed: " + s.message()));
    return s;
  }
  // The DR host serves nothing any more: it stays, stopped, as the seed of production's new replicas.
  state::ResourceRecord dr = server->failover;
  dr.attributes["failed_back"] = true;
  dr.attributes["nbd_address"] = "";
  CDR_RETURN_IF_ERROR(ctx.store.Put(dr));
  r.attributes.erase("last_error");
  r.attributes.erase("reverse_agent");
  r.attributes.erase("observed");
  r.attributes.erase("rpo_seconds");
  return ctx.Transition(r, "failed_back",
                        host + " holds exactly DR host " + dr_host + "'s data and takes writes again (unfenced); "
                        "the DR host is stopped, kept until " + host + " is protected again");
}

Status RegisterBack(StepContext& ctx) {
  auto existing = ctx.store.Get(ctx.change.address);
  if (!existing) return NotFound(ctx.change.address + " is no longer in the state");
  state::ResourceRecord r = *existing;
  for (const auto& [key, value] : ctx.change.after.items()) r.attributes[key] = value;
  const std::string host = r.attributes.value("host", "");
  const std::string from = ParseServerState(r.status) == ServerState::kRegistering
                               ? ServerStateName(ServerState::kFailedBack)
                               : r.status;
  CDR_RETURN_IF_ERROR(ctx.Transition(r, "registering", "register " + host + " for protection again"));
  auto agent = providers::types::CreateAgent(ctx.provider, {host, GroupOf(r.address)});
  if (!agent.ok()) {
    r.attributes["last_error"] = agent.status().message();
    CDR_RETURN_IF_ERROR(ctx.Transition(r, from, "registration failed: " + agent.status().message()));
    return agent.status();
  }
  r.provider_id = host;
  r.attributes["agent_version"] = agent->version;
  r.attributes.erase("last_error");
  r.attributes.erase("reverse_agent");
  r.attributes.erase("fenced");
  return ctx.Transition(r, "initialized", "agent " + agent->version + " on " + host + " protects it again");
}

}  // namespace

Status ApplyFailbackTransition(StepContext& ctx) {
  if (ctx.change.operation == Operation::kReverseRegister) return ReverseRegister(ctx);
  if (ctx.change.operation == Operation::kLaunchHost) return LaunchHost(ctx);
  if (ctx.change.operation == Operation::kFailback) return Failback(ctx);
  if (ctx.change.operation == Operation::kRegister) return RegisterBack(ctx);
  return InvalidArgument(std::string("unknown failback transition ") + OperationName(ctx.change.operation));
}

}  // namespace cdr::reconcile::internal
