#include <fmt/format.h>

#include <algorithm>

#include "common/clock.h"
#include "common/display_width.h"
#include "common/human_bytes.h"
#include "common/nbd_uri.h"
#include "common/rfc3339.h"
#include "reconcile/server_state.h"
#include "reconcile/status_report.h"
#include "reconcile/verification_result.h"
#include "specs/spec.h"

namespace cdr::reconcile {

namespace {

std::string DrHostUri(const DrHostStatus& d, const std::string& disk) {
  return NbdUri(d.nbd_address, disk, d.nbd_tls_dir);
}

std::string RenderDrHost(const DrHostStatus& d) {
  std::string line = fmt::format("    {} {} ({}, {}) at {}", d.purpose, d.name, d.id.empty() ? "-" : d.id, d.state,
                                 d.point_id.empty() ? d.recovery_point : d.point_id);
  for (const auto& disk : d.disks) {
    if (!d.nbd_address.empty()) line += " " + DrHostUri(d, disk);
  }
  if (d.nbd_address.empty()) line += d.live ? " (not serving its disks)" : " (no address recorded)";
  if (!d.live && !d.nbd_address.empty()) line += " (address as recorded at the last apply, not observed now)";
  if (d.standalone) line += " [standalone disks]";
  if (d.verification.is_object()) {
    const std::string result = d.verification.value("result", "");
    line += fmt::format("; verify {}: {}", d.verification.value("kind", ""), result);
    // A verdict's detail is in --json and cdr drift; why there is no verdict belongs on the line itself.
    const std::optional<VerificationResult> parsed = ParseVerificationResult(result);
    if (parsed == VerificationResult::kInterrupted || parsed == VerificationResult::kError)
      line += " (" + d.verification.value("detail", "") + ")";
  }
  return line + "\n";
}

}  // namespace

namespace {

// A live RPO is the agent's figure; without one it is an upper bound that grows until the agent answers.
std::string RpoText(const ServerStatus& s) {
  if (s.rpo_seconds < 0) return "-";
  return fmt::format("{}{:.1f}s", s.rpo_live ? "" : "<=", s.rpo_seconds);
}

std::string NoteText(const ServerStatus& s) {
  std::vector<std::string> parts;
  if (!s.live) {
    const std::string when = s.observed_at_ms > 0 ? " as of " + FormatRfc3339(s.observed_at_ms) : "";
    parts.push_back("NOT LIVE (" + (s.health_reason.empty() ? std::string("not observed") : s.health_reason) +
                    "): stored state" + when);
  } else if (!s.health_reason.empty()) {
    parts.push_back(s.health_reason);
  }
  if (s.fenced) parts.push_back("fenced: production refuses writes while failed over");
  // Every server's release is in --json; around an upgrade it belongs on the line.
  if (IsAgentUpgradeState(s.state)) {
    parts.push_back("agent " + (s.agent_version.empty() ? std::string("unknown") : s.agent_version));
  }
  // "same" and "unknown" are in --json; what needs a look is on the line.
  if (s.verify && s.verify->outcome < VerifyOutcome::kUnknown) parts.push_back("verify: " + DescribeVerify(*s.verify));
  if (s.backlog && s.backlog->writes > 0) {
    parts.push_back(fmt::format("{} writes ({}) not sent, oldest {:.0f}s old", s.backlog->writes,
                                HumanBytes(s.backlog->bytes), s.backlog->age_seconds));
  }
  if (!s.last_error.empty()) parts.push_back(s.last_error);
  if (specs::ParseReplication(s.replication) == specs::Replication::kRunning &&
      ParseServerState(s.state) == ServerState::kInitialized) {
    parts.push_back("cdr apply starts replication");
  }
  std::string note;
  for (const auto& p : parts) note += (note.empty() ? "" : "; ") + p;
  return note;
}

std::string StateText(const ServerStatus& s) { return s.state + " " + std::string(OriginalStateName(s.state)); }

}  // namespace

std::string RenderStatusText(const std::vector<GroupStatus>& groups) {
  if (groups.empty()) return "No protection groups in the state. Write a spec and run `cdr apply`.\n";
  std::string out = fmt::format("{:<20} {:<6} {:<6} {:<12} {:>7} {:>6} {:>8} {:>16} {:>9} {:>8}\n", "GROUP", "PROD",
                                "DR", "VPC", "SERVERS", "ERROR", "HEALTHY", "NOT_REPLICATING", "RPO_HIGH", "UNKNOWN");
  for (const auto& g : groups) {
    out += fmt::format("{:<20} {:<6} {:<6} {:<12} {:>7} {:>6} {:>8} {:>16} {:>9} {:>8}\n", g.name,
                       g.production_zone, g.dr_zone, g.vpc, g.servers.size(), g.error, g.healthy, g.not_replicating,
                       g.rpo_high, g.unknown);
  }
  for (const auto& g : groups) {
    out += fmt::format("\ngroup {} (peering {}, endpoint {}, RPO alert {}s)\n", g.name,
                       g.peering_id.empty() ? "-" : g.peering_id, g.endpoint_id.empty() ? "-" : g.endpoint_id,
                       g.rpo_alert_seconds);
    if (g.servers.empty()) {
      out += "  (no protected servers)\n";
      continue;
    }
    // The state with its Chinese name: as wide as the widest one, in display columns, so the columns after it
    // stay in line.
    size_t state_columns = 34;
    for (const auto& s : g.servers) state_columns = std::max(state_columns, DisplayWidth(StateText(s)) + 1);
    out += fmt::format("  {:<16} {:<16} {} {:<10} {:>6} {:<16} {:<9} {}\n", "SERVER", "HOST",
                       PadToWidth("STATE", state_columns), "PHASE", "PROG", "HEALTH", "RPO", "NOTE");
    for (const auto& s : g.servers) {
      const std::string progress = s.progress_percent < 0 ? "-" : fmt::format("{:.1f}%", s.progress_percent);
      out += fmt::format("  {:<16} {:<16} {} {:<10} {:>6} {:<16} {:<9} {}\n", s.name, s.host,
                         PadToWidth(StateText(s), state_columns), s.phase, progress, HealthName(s.health),
                         RpoText(s), NoteText(s));
      for (const auto& d : s.dr_hosts) out += RenderDrHost(d);
    }
  }
  return out;
}

namespace {

nlohmann::json DrHostsToJson(const std::vector<DrHostStatus>& hosts) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& d : hosts) {
    nlohmann::json uris = nlohmann::json::array();
    for (const auto& disk : d.disks) {
      if (!d.nbd_address.empty()) uris.push_back(DrHostUri(d, disk));
    }
    out.push_back({{"purpose", d.purpose},
                   {"name", d.name},
                   {"id", d.id},
                   {"state", d.state},
                   {"recovery_point", d.recovery_point},
                   {"point_id", d.point_id},
                   {"point_time", d.point_time_ns > 0 ? nlohmann::json(FormatRfc3339Nanos(d.point_time_ns))
                                                      : nlohmann::json()},
                   {"point_time_ns", d.point_time_ns},
                   {"nbd_address", d.nbd_address},
                   {"nbd_uris", uris},
                   {"live", d.live},
                   {"running", d.live ? nlohmann::json(d.running) : nlohmann::json()},
                   {"standalone", d.standalone},
                   {"verification", d.verification}});
  }
  return out;
}

// Known only from a live answer while replication is stopped.
nlohmann::json BacklogJson(const ServerStatus& s) {
  if (!s.backlog) return nullptr;
  return {{"writes", s.backlog->writes}, {"bytes", s.backlog->bytes}, {"age_seconds", s.backlog->age_seconds}};
}

}  // namespace

nlohmann::json StatusToJson(const std::vector<GroupStatus>& groups) {
  nlohmann::json out = {{"format_version", "1"}, {"groups", nlohmann::json::array()}};
  for (const auto& g : groups) {
    nlohmann::json servers = nlohmann::json::array();
    for (const auto& s : g.servers) {
      nlohmann::json uris = nlohmann::json::array();
      nlohmann::json replicas = nlohmann::json::array();
      for (const auto& disk : s.disks) {
        if (!s.nbd_address.empty()) uris.push_back(NbdUri(s.nbd_address, disk, s.nbd_tls_dir));
        if (!s.replica_dir.empty()) {
          replicas.push_back({{"disk", disk}, {"path", ReplicaPath(s.replica_dir, s.replica_server_id, disk)}});
        }
      }
      servers.push_back(
          {{"address", s.address},
           {"phase", s.phase},
           {"progress_percent",
            s.progress_percent < 0 ? nlohmann::json() : nlohmann::json(s.progress_percent)},
           {"bytes_sent", s.bytes_sent},
           {"full_sync_bytes_sent", s.full_sync_bytes_sent},
           {"repair_bytes_sent", s.repair_bytes_sent},
           {"agent_version", s.agent_version.empty() ? "unknown" : s.agent_version},
           {"backlog", BacklogJson(s)},
           {"fenced", s.fenced},
           {"online_verify", s.verify ? VerifyToJson(*s.verify) : nlohmann::json()},
           {"agent_settings", s.agent_settings},
           {"failback", s.failback},
           {"live", s.live},
           {"observed_at",
            s.observed_at_ms > 0 ? nlohmann::json(FormatRfc3339(s.observed_at_ms)) : nlohmann::json()},
           {"agent_status", s.agent_status},
           {"api_address", s.api_address},
           {"nbd_address", s.nbd_address},
           {"nbd_uris", uris},
           {"shadow_host_id", s.shadow_host_id},
           {"replication_address", s.replication_address},
           {"replica_dir", s.replica_dir},
           {"replicas", replicas},
           {"observe_error", s.observe_error},
           {"name", s.name},
           {"host", s.host},
           {"state", s.state},
           {"replication", s.replication},
           {"health", HealthName(s.health)},
           {"health_reason", s.health_reason},
           {"rpo_seconds", s.rpo_seconds < 0 ? nlohmann::json() : nlohmann::json(s.rpo_seconds)},
           {"rpo_live", s.rpo_live},
           {"last_error", s.last_error},
           {"dr_hosts", DrHostsToJson(s.dr_hosts)}});
    }
    out["groups"].push_back({{"name", g.name},
                             {"production_zone", g.production_zone},
                             {"dr_zone", g.dr_zone},
                             {"vpc", g.vpc},
                             {"rpo_alert_seconds", g.rpo_alert_seconds},
                             {"peering_id", g.peering_id},
                             {"endpoint_id", g.endpoint_id},
                             {"health", {{"error", g.error},
                                         {"healthy", g.healthy},
                                         {"not_replicating", g.not_replicating},
                                         {"rpo_high", g.rpo_high},
                                         {"unknown", g.unknown}}},
                             {"servers", servers}});
  }
  return out;
}

}  // namespace cdr::reconcile
