// Drill and failover DR hosts (docs/state-machine.md). Like the shadow host, a DR host is made with a client
// token stored in the state before the call, so an apply killed mid-create finds the same DR host again. A
// failover also walks the server's own state: failing_over (written before anything happens) → failed_over →
// failover_confirmed.
#include <spdlog/spdlog.h>

#include <chrono>
#include <thread>

#include "common/clock.h"
#include "common/random_hex.h"
#include "common/rfc3339.h"
#include "providers/dr_check_kind.h"
#include "providers/process_status.h"
#include "providers/types/agent.h"
#include "providers/types/dr_host.h"
#include "reconcile/address.h"
#include "reconcile/internal/step_context.h"
#include "reconcile/server_state.h"
#include "reconcile/verification_result.h"
#include "state/record_status.h"

namespace cdr::reconcile::internal {
namespace {

using nlohmann::json;

Result<state::ResourceRecord> RecordAt(StepContext& ctx, const std::string& address) {
  auto existing = ctx.store.Get(address);
  if (!existing) return NotFound(address + " is no longer in the state; run cdr plan again");
  return *existing;
}

Result<std::string> ShadowHostId(StepContext& ctx) {
  auto shadow = ctx.store.Get(ShadowHostAddress(ServerOf(ctx.change.address)));
  if (!shadow || shadow->provider_id.empty() ||
      state::RecordStatusOf(*shadow) != state::RecordStatus::kCreated) {
    return FailedPrecondition(ServerOf(ctx.change.address) + " has no shadow host, which holds the recovery points");
  }
  return shadow->provider_id;
}

Result<providers::DrHostRequest> RequestFor(StepContext& ctx, const std::string& token, const json& a) {
  auto server = RecordAt(ctx, ServerOf(ctx.change.address));
  if (!server.ok()) return server.status();
  auto group = ctx.store.Get(GroupAddress(GroupOf(ctx.change.address)));
  if (!group) return NotFound("group of " + ctx.change.address + " is not in the state");
  auto shadow_id = ShadowHostId(ctx);
  if (!shadow_id.ok()) return shadow_id.status();
  providers::DrHostRequest request;
  request.client_token = token;
  request.name = a.value("name", "");
  request.purpose = a.value("purpose", "drill");
  request.zone = group->attributes.value("dr_zone", "");
  request.vpc = group->attributes.value("vpc", "");
  request.shadow_host_id = *shadow_id;
  request.server_id = server->attributes.value("host", "");
  request.flavor = a.value("flavor", "");
  request.ip = a.value("ip", "");
  request.disk_type = a.value("disk_type", "");
  request.eip = a.value("eip", "");
  request.recovery_point = a.value("recovery_point", "latest");
  request.group = GroupOf(ctx.change.address);
  request.server_name = LeafName(ServerOf(ctx.change.address));
  return request;
}

void RecordDrHost(const providers::DrHost& host, state::ResourceRecord* r) {
  r->provider_id = host.id;
  r->attributes["id"] = host.id;
  r->attributes["nbd_address"] = host.nbd_address;
  r->attributes["nbd_tls_dir"] = host.nbd_tls_dir;
  r->attributes["metrics_address"] = host.metrics_address;
  r->attributes["disks"] = host.disks;
  r->attributes["point_id"] = host.point_id;
  r->attributes["point_time_ns"] = host.point_time_ns;
  r->attributes["standalone"] = host.standalone;
}

std::string PointOf(const providers::DrHost& host) {
  return host.point_id.empty() ? "the instant " + FormatRfc3339Nanos(host.point_time_ns) : host.point_id;
}

// The point a recorded DR host was materialized at, for events and messages.
std::string RecordedPoint(const state::ResourceRecord& r) {
  const std::string id = r.attributes.value("point_id", std::string());
  if (!id.empty()) return "recovery point " + id;
  const int64_t time_ns = r.attributes.value("point_time_ns", int64_t{0});
  if (time_ns > 0) return "the instant " + FormatRfc3339Nanos(time_ns);
  return "recovery point " + r.attributes.value("recovery_point", std::string("latest"));
}

// Brings the DR host up (or finds the one an interrupted attempt made, by its token) and records it.
Status Materialize(StepContext& ctx, state::ResourceRecord& r, const json& attributes) {
  std::string token = state::RecordStatusOf(r) == state::RecordStatus::kCreating
                          ? r.attributes.value("client_token", "")
                          : "";
  if (token.empty()) token = RandomHex(16);
  r.attributes = attributes;
  r.attributes["client_token"] = token;
  r.provider_id.clear();
  auto request = RequestFor(ctx, token, attributes);
  if (!request.ok()) return request.status();
  CDR_RETURN_IF_ERROR(ctx.Transition(r, "creating",
                                     "bring up " + request->purpose + " DR host " + request->name + " at recovery "
                                     "point " + request->recovery_point + " (client token " + token + ")"));
  auto host = providers::types::CreateDrHost(ctx.provider, *request);
  if (!host.ok()) return host.status();
  RecordDrHost(*host, &r);
  return ctx.Transition(r, "created", request->purpose + " DR host " + host->id + " serves its disks at " +
                                          host->nbd_address + ", at " + PointOf(*host));
}

Status Remove(StepContext& ctx, const std::string& address) {
  auto existing = ctx.store.Get(address);
  if (!existing) return Status::Ok();
  state::ResourceRecord r = *existing;
  const std::string token = r.attributes.value("client_token", "");
  if (r.provider_id.empty() && !token.empty()) {
    // An interrupted create may have made the DR host without us learning its id; the token finds it.
    auto request = RequestFor(ctx, token, r.attributes);
    if (request.ok()) {
      auto host = providers::types::CreateDrHost(ctx.provider, *request);
      if (host.ok()) RecordDrHost(*host, &r);
    }
  }
  CDR_RETURN_IF_ERROR(ctx.Transition(r, "deleting", "delete DR host " + r.provider_id));
  if (!r.provider_id.empty())
    CDR_RETURN_IF_ERROR(providers::types::DeleteDrHost(ctx.provider, r.provider_id));
  CDR_RETURN_IF_ERROR(ctx.store.AddJobEvent(ctx.job_id, "deleting", "", "deleted DR host " + r.provider_id));
  return ctx.store.Delete(r.address);
}

// Times in the state's attributes are RFC 3339, as every time cdr shows.
std::string NowText() { return FormatRfc3339(NowUnixMillis()); }

// The drill's verification: its result is kept in the state (cdr status and cdr drift show it). A failed check
// fails the step, and the drill DR host stays up so it can be looked at. Like every provider call, the check is
// recorded before it starts ("running"): an apply that dies while verifying leaves a verification without a
// result, which the next plan runs again instead of reporting nothing to do.
Status Verify(StepContext& ctx, state::ResourceRecord& r) {
  const std::string verify = r.attributes.value("verify", "");
  if (verify.empty()) {
    r.attributes.erase("verification");
    return ctx.store.Put(r);
  }
  providers::DrHostCheck check;
  const bool command = verify.rfind("command:", 0) == 0;
  check.kind = command ? providers::DrCheckKindName(providers::DrCheckKind::kCommand) : verify;
  if (command) check.command = verify.substr(8);
  r.attributes["verification"] = {{"kind", check.kind},
                                  {"result", VerificationResultName(VerificationResult::kRunning)},
                                  {"started_at", NowText()}};
  CDR_RETURN_IF_ERROR(ctx.store.Put(r));
  CDR_RETURN_IF_ERROR(ctx.store.AddJobEvent(ctx.job_id, r.status, r.status, "verify " + check.kind + ": started"));
  auto result = providers::types::CheckDrHost(ctx.provider, r.provider_id, check);
  if (!result.ok()) {
    // Not a verdict on the disks: kept as an error so the next apply tries again.
    r.attributes["verification"] = {{"kind", check.kind},
                                    {"result", VerificationResultName(VerificationResult::kError)},
                                    {"detail", result.status().message()},
                                    {"checked_at", NowText()}};
    CDR_RETURN_IF_ERROR(ctx.store.Put(r));
    return result.status();
  }
  r.attributes["verification"] = {{"kind", check.kind},
                                  {"result", result->result},
                                  {"detail", result->detail},
                                  {"checked_at", NowText()}};
  CDR_RETURN_IF_ERROR(ctx.store.Put(r));
  CDR_RETURN_IF_ERROR(ctx.store.AddJobEvent(ctx.job_id, r.status, r.status,
                                            "verify " + check.kind + ": " + result->result + " (" + result->detail + ")"));
  if (ParseVerificationResult(result->result) == VerificationResult::kFailed) {
    return FailedPrecondition("drill verification (" + check.kind + ") failed: " + result->detail);
  }
  return Status::Ok();
}

Status CreateDrill(StepContext& ctx) {
  state::ResourceRecord r = ctx.CurrentOrNew();
  CDR_RETURN_IF_ERROR(Materialize(ctx, r, ctx.change.after));
  return Verify(ctx, r);
}

// Production is fenced first, so no write lands there after the point the DR host is brought up from, then its
// replication is stopped, so the shadow's history holds still while the DR host reads it. Production may be the
// reason for the failover: an agent that cannot be reached is noted (with the risk) and passed over.
Status FenceAndStopProduction(StepContext& ctx, state::ResourceRecord& server) {
  const std::string host = server.attributes.value("host", "");
  auto note = [&](const std::string& what) {
    spdlog::warn("{}: {}", server.address, what);
    return ctx.store.AddJobEvent(ctx.job_id, server.status, server.status, what);
  };
  if (Status fenced = FenceProduction(ctx, server); !fenced.ok()) {
    ctx.options.report(server.address + ": WARNING: " + fenced.message() +
                       ": it may still take writes, which the DR host will not have (split brain); the next plan "
                       "retries the fence");
  }
  if (!ctx.options.connect) return note("replication on " + host + " not stopped: this apply cannot reach agents");
  auto agent = providers::types::ReadAgent(ctx.provider, host);
  if (!agent.ok() || providers::ProcessStatusOf(*agent) != providers::ProcessStatus::kRunning) {
    return note("the agent on " + host + " is not running; failing over without stopping it");
  }
  auto control = ctx.options.connect(*agent);
  if (Status stop = control->Stop(); !stop.ok() && stop.code() != StatusCode::kFailedPrecondition) {
    return note("could not stop replication on " + host + " (" + stop.message() + "); failing over anyway");
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    auto status = control->GetStatus();
    const std::optional<ServerState> reported = status.ok() ? ParseServerState(status->state) : std::nullopt;
    if (reported && (IsStoppedState(*reported) ||
                     IsOneOf(reported, {ServerState::kInitialized, ServerState::kReplicationError}))) {
      return note("replication on " + host + " stopped (" + status->state + ")");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return note("replication on " + host + " did not report stopped within 30 s; failing over anyway");
}

Status Failover(StepContext& ctx, bool again) {
  auto server = RecordAt(ctx, ServerOf(ctx.change.address));
  if (!server.ok()) return server.status();
  state::ResourceRecord s = std::move(*server);
  CDR_RETURN_IF_ERROR(ctx.Transition(s, "failing_over",
                                     again ? "change recovery point to " +
                                                 ctx.change.after.value("recovery_point", std::string("latest"))
                                           : "fail over to the DR zone"));
  if (!again) CDR_RETURN_IF_ERROR(FenceAndStopProduction(ctx, s));
  state::ResourceRecord r = ctx.CurrentOrNew();
  if (again && state::RecordStatusOf(r) == state::RecordStatus::kCreated)
    CDR_RETURN_IF_ERROR(Remove(ctx, ctx.change.address));
  if (again) r = ctx.CurrentOrNew();
  CDR_RETURN_IF_ERROR(Materialize(ctx, r, ctx.change.after));
  return ctx.Transition(s, "failed_over", "DR host " + r.provider_id + " is up at " + RecordedPoint(r));
}

Status Confirm(StepContext& ctx) {
  auto r = RecordAt(ctx, ctx.change.address);
  if (!r.ok()) return r.status();
  auto host = providers::types::DetachDrHost(ctx.provider, r->provider_id);
  if (!host.ok()) return host.status();
  RecordDrHost(*host, &*r);
  r->attributes["confirm"] = true;
  CDR_RETURN_IF_ERROR(ctx.store.Put(*r));
  auto server = RecordAt(ctx, ServerOf(ctx.change.address));
  if (!server.ok()) return server.status();
  return ctx.Transition(*server, "failover_confirmed",
                        "DR host " + host->id + " has standalone disks; the shadow host and recovery points go next");
}

Status Restart(StepContext& ctx) {
  auto r = RecordAt(ctx, ctx.change.address);
  if (!r.ok()) return r.status();
  const std::string token = r->attributes.value("client_token", "");
  auto request = RequestFor(ctx, token, r->attributes);
  if (r->attributes.value("standalone", false)) {
    // After a confirm the shadow host is gone; the DR host stands alone and is found by its token all the same.
    if (!request.ok()) request = providers::DrHostRequest{token};
  }
  if (!request.ok()) return request.status();
  auto host = providers::types::CreateDrHost(ctx.provider, *request);
  if (!host.ok()) return host.status();
  RecordDrHost(*host, &*r);
  CDR_RETURN_IF_ERROR(ctx.store.Put(*r));
  return ctx.store.AddJobEvent(ctx.job_id, r->status, r->status,
                               "started DR host " + host->id + " again at " + host->nbd_address);
}

// The server leaves protection after a confirmed failover: the DR host runs on as a standalone host that cdr no
// longer manages, so only its record goes.
Status Release(StepContext& ctx) {
  auto r = RecordAt(ctx, ctx.change.address);
  if (!r.ok()) return r.status();
  CDR_RETURN_IF_ERROR(ctx.store.AddJobEvent(ctx.job_id, r->status, "", "released DR host " + r->provider_id +
                                                                           ": it runs on as a standalone host"));
  return ctx.store.Delete(r->address);
}

}  // namespace

Status ApplyDrHostChange(StepContext& ctx) {
  const Operation op = ctx.change.operation;
  switch (ctx.change.action) {
    case Action::kCreate:
      return op == Operation::kFailover ? Failover(ctx, false) : CreateDrill(ctx);
    case Action::kDelete:
      return Remove(ctx, ctx.change.address);
    case Action::kReplace:
      CDR_RETURN_IF_ERROR(Remove(ctx, ctx.change.address));
      return CreateDrill(ctx);
    case Action::kUpdate: {
      auto r = RecordAt(ctx, ctx.change.address);
      if (!r.ok()) return r.status();
      r->attributes["verify"] = ctx.change.after.value("verify", "");
      return Verify(ctx, *r);
    }
    case Action::kTransition:
      if (op == Operation::kChangeRecoveryPoint) return Failover(ctx, true);
      if (op == Operation::kConfirm) return Confirm(ctx);
      if (op == Operation::kRestart) return Restart(ctx);
      if (op == Operation::kRelease) return Release(ctx);
      return InvalidArgument(std::string("unknown DR host transition ") + OperationName(op));
    default:
      return Status::Ok();
  }
}

}  // namespace cdr::reconcile::internal
