#include "reconcile/drift_report.h"

#include <fmt/format.h>

#include <map>

#include "common/clock.h"
#include "providers/types/recovery_points.h"
#include "reconcile/address.h"
#include "reconcile/planner.h"
#include "reconcile/server_state.h"
#include "reconcile/verification_result.h"
#include "state/record_status.h"

namespace cdr::reconcile {
namespace {

// Markdown table cells cannot hold a raw '|'.
std::string Cell(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += "\\";
    out += c;
  }
  return out;
}

bool Within(const std::string& address, const std::string& outer) {
  return address == outer || address.rfind(outer + ".", 0) == 0;
}

// True when an item already speaks for `address` (about it, about something it holds, or about part of it).
bool Covered(const std::vector<DriftedResource>& items, const std::string& address) {
  for (const auto& i : items) {
    if (Within(address, i.address) || Within(i.address, address)) return true;
  }
  return false;
}

// "group.web.server.a.host" → server: the kind of the resource a key path belongs to; none outside a group.
std::optional<ResourceKind> KindOf(const std::string& path) {
  if (path.find(".shadow_host") != std::string::npos) return ResourceKind::kShadowHost;
  if (path.find(".drill") != std::string::npos || path.find(".failover") != std::string::npos) {
    return ResourceKind::kDrHost;
  }
  if (path.find(".server.") != std::string::npos) return ResourceKind::kServer;
  if (path.find(".peering") != std::string::npos) return ResourceKind::kPeering;
  if (path.find(".endpoint") != std::string::npos) return ResourceKind::kEndpoint;
  if (path.rfind("group.", 0) == 0) return ResourceKind::kGroup;
  return std::nullopt;
}

const char* KindText(const std::optional<ResourceKind>& kind) { return kind ? ResourceKindName(*kind) : ""; }

// Servers whose own state says something is wrong, whatever the provider says.
void AddHealthProblems(const std::vector<state::ResourceRecord>& records, std::vector<DriftedResource>* items) {
  std::map<std::string, int> thresholds;
  for (const auto& r : records) {
    if (r.kind == ResourceKind::kGroup) thresholds[r.address] = r.attributes.value("rpo_alert_seconds", 0);
  }
  for (const auto& r : records) {
    const nlohmann::json verification = r.attributes.value("verification", nlohmann::json());
    if (r.kind == ResourceKind::kDrHost && verification.is_object() &&
        ParseVerificationResult(verification.value("result", "")) == VerificationResult::kFailed &&
        !Covered(*items, r.address)) {
      items->push_back({r.address, r.kind, "drill_verification_failed",
                        "drill DR host " + r.attributes.value("name", "") + ": " + verification.value("kind", "") +
                            " failed: " + verification.value("detail", "")});
    }
  }
  for (const auto& r : records) {
    if (r.kind != ResourceKind::kServer || Covered(*items, r.address)) continue;
    if (IsErrorState(r.status)) {
      items->push_back({r.address, r.kind, r.status,
                        "the server is in " + r.status + " (" + std::string(OriginalStateName(r.status)) + ")" +
                            (r.attributes.contains("last_error")
                                 ? ": " + r.attributes.value("last_error", std::string())
                                 : std::string())});
      continue;
    }
    // The newest online verify found the replica different from the disk: replication repairs it, yet someone
    // must know, and only a new round that finds it the same clears this.
    const nlohmann::json verify =
        r.attributes.value("observed", nlohmann::json::object()).value("online_verify", nlohmann::json());
    if (verify.is_object() && verify.value("outcome", "") == "differs") {
      items->push_back({r.address, r.kind, "replica_differs",
                        "the online verify of " +
                            (verify["finished_at"].is_string() ? verify["finished_at"].get<std::string>()
                                                               : std::string("an unknown time")) +
                            " found the replica of " + verify.value("disk", std::string()) +
                            " different from the disk (" + verify.value("reason", std::string()) +
                            "); run `cdr verify` once the server is back in realtime to confirm the repair"});
      continue;
    }
    // Stopped on purpose, yet the primary has writes the replica lacks: a failover now would lose them.
    const nlohmann::json backlog =
        r.attributes.value("observed", nlohmann::json::object()).value("backlog", nlohmann::json());
    if (IsStoppedState(r.status) && backlog.is_object() && backlog.value("writes", uint64_t{0}) > 0) {
      items->push_back({r.address, r.kind, "replication_backlog",
                        fmt::format("replication is stopped ({}) with {} writes ({} bytes) not on the shadow host, "
                                    "the oldest {:.0f} s old; they are sent when replication runs again",
                                    r.status, backlog.value("writes", uint64_t{0}), backlog.value("bytes", uint64_t{0}),
                                    backlog.value("age_seconds", 0.0))});
      continue;
    }
    const double rpo = r.attributes.value("rpo_seconds", -1.0);
    const int threshold = thresholds[r.address.substr(0, r.address.find(".server."))];
    if (ClassifyHealth(r.status, rpo, threshold) == Health::kRpoHigh) {
      items->push_back({r.address, r.kind, "rpo_high",
                        fmt::format("RPO {:.1f} s is above the group's alert threshold of {} s", rpo, threshold)});
    }
  }
}

// A shadow host that should have taken a recovery point by now and has not: the policy's promise is broken even
// though replication itself may look healthy. Two intervals of slack absorb a point being taken right now.
void AddRecoveryPointProblems(const std::vector<state::ResourceRecord>& records,
                              providers::ResourceProvider& provider, std::vector<DriftedResource>* items) {
  std::map<std::string, const state::ResourceRecord*> servers;
  for (const auto& r : records) {
    if (r.kind == ResourceKind::kServer) servers[r.address] = &r;
  }
  const int64_t now_ns = NowUnixNanos();
  for (const auto& r : records) {
    if (r.kind != ResourceKind::kShadowHost || state::RecordStatusOf(r) != state::RecordStatus::kCreated ||
        Covered(*items, r.address)) {
      continue;
    }
    auto server = servers.find(ServerOf(r.address));
    if (server == servers.end() || ParseServerState(server->second->status) != ServerState::kRealtime)
      continue;
    const int64_t every = r.attributes.value("recovery_points", nlohmann::json::object()).value("every_seconds", 0);
    if (every <= 0) continue;
    auto points =
        providers::types::ListRecoveryPoints(provider, r.provider_id, r.attributes.value("server_id", ""));
    if (!points.ok() || points->window_end_ns == 0) continue;
    const int64_t slack_ns = 2 * every * 1'000'000'000LL;
    const int64_t newest = points->points.empty() ? points->window_start_ns : points->points.back().time_ns;
    if (now_ns - newest > slack_ns && points->window_end_ns - points->window_start_ns > slack_ns) {
      items->push_back({r.address, r.kind, "recovery_point_policy_not_met",
                        fmt::format("the policy asks for a recovery point every {} s; the newest is {} s old", every,
                                    (now_ns - newest) / 1'000'000'000LL)});
    }
  }
}

}  // namespace

Result<DriftReport> MakeDriftReport(const DriftSpec& spec, state::StateStore& store,
                                    providers::ResourceProvider& provider, const AgentConnector& connect) {
  auto made = MakePlan(spec.spec, store, provider, {connect});
  if (!made.ok()) return made.status();
  DriftReport report;
  report.checked_at = made->plan.created_at;
  report.state_serial = made->plan.state_serial;
  report.spec_source = spec.source;
  report.spec_commit = spec.commit;
  // As refreshed (the agents' states merged in): the state itself is not written by a drift check.
  const auto& records = made->refreshed;
  for (const auto& r : records) report.resources_checked += r.kind == ResourceKind::kGroup ? 0 : 1;
  report.items = made->plan.drifted;
  AddHealthProblems(records, &report.items);
  AddRecoveryPointProblems(records, provider, &report.items);
  // A spec that cannot be applied says so before what it would change; a change that only repairs observed
  // drift is already reported as that drift.
  for (const auto& e : made->errors) {
    if (Covered(report.items, e.path)) continue;
    report.items.push_back({e.path, KindOf(e.path), "plan_error", specs::FormatDiagnostic(e)});
  }
  for (const auto& c : made->plan.changes) {
    if (Covered(report.items, c.address)) continue;
    report.items.push_back({c.address, c.kind, "not_applied",
                            std::string("the spec asks to ") + OperationName(c.operation) + " it (" +
                                c.reason + "); `cdr apply` has not done it yet"});
  }
  return report;
}

std::string RenderDriftText(const DriftReport& report) {
  if (report.items.empty()) {
    return fmt::format("No drift: all {} resources in the state exist as recorded and match the spec.\n",
                       report.resources_checked);
  }
  std::string out = "Drift found:\n\n";
  for (const auto& d : report.items) out += fmt::format("  # {} ({}): {}\n", d.address, d.problem, d.detail);
  return out + fmt::format("\n{} item(s). `cdr plan` shows how apply would repair what it can.\n", report.items.size());
}

std::string RenderDriftMarkdown(const DriftReport& report) {
  std::string out = "# cdr drift report\n\n";
  out += fmt::format("- checked at: {}\n- spec: {}{}\n- state serial: {}\n- resources checked: {}\n- drifted: {}\n\n",
                     FormatRfc3339(report.checked_at), report.spec_source,
                     report.spec_commit.empty() ? "" : " (commit " + report.spec_commit.substr(0, 12) + ")",
                     report.state_serial, report.resources_checked, report.items.size());
  if (report.items.empty()) return out + "No drift: the state, the spec and what the provider reports agree.\n";
  out += "| resource | kind | problem | detail |\n|---|---|---|---|\n";
  for (const auto& d : report.items) {
    out += fmt::format("| `{}` | {} | {} | {} |\n", d.address, KindText(d.kind), d.problem, Cell(d.detail));
  }
  return out;
}

nlohmann::json DriftToJson(const DriftReport& report) {
  nlohmann::json drifted = nlohmann::json::array();
  for (const auto& d : report.items) {
    drifted.push_back(
        {{"address", d.address}, {"kind", KindText(d.kind)}, {"problem", d.problem}, {"detail", d.detail}});
  }
  return {{"format_version", std::to_string(kDriftFormatVersion)},
          {"checked_at", FormatRfc3339(report.checked_at)},
          {"spec_source", report.spec_source},
          {"spec_commit", report.spec_commit},
          {"state_serial", report.state_serial},
          {"resources_checked", report.resources_checked},
          {"drift_detected", !report.items.empty()},
          {"drifted", drifted}};
}

}  // namespace cdr::reconcile
