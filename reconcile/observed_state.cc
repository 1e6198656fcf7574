#include "reconcile/observed_state.h"

#include <spdlog/spdlog.h>

#include <map>

#include "common/clock.h"
#include "reconcile/agent_settings.h"
#include "reconcile/server_state.h"
#include "reconcile/verify_summary.h"

namespace cdr::reconcile {

double OverallProgress(const agent::AgentStatus& status) {
  double total = 0, done = 0;
  for (const auto& d : status.disks) {
    total += static_cast<double>(d.size_bytes);
    done += static_cast<double>(d.size_bytes) * d.progress_percent / 100.0;
  }
  if (total > 0) return 100.0 * done / total;
  return ParseServerState(status.state) == ServerState::kRealtime ? 100.0 : 0.0;
}

std::string FirstDiskError(const agent::AgentStatus& status) {
  for (const auto& d : status.disks) {
    if (!d.last_error.empty()) return d.disk + ": " + d.last_error;
  }
  return "";
}

double LiveRpoSeconds(const agent::AgentStatus& status) {
  if (IsRealtimeState(status.state)) return status.lag_seconds;
  if (IsStoppedState(status.state)) {
    const auto backlog = BacklogOf(status);
    if (backlog) return backlog->age_seconds;
  }
  return -1;
}

std::optional<ServerBacklog> BacklogOf(const agent::AgentStatus& status) {
  if (status.disks.empty()) return std::nullopt;
  ServerBacklog out;
  for (const auto& d : status.disks) {
    if (!d.backlog_known) return std::nullopt;
    out.writes += d.backlog_writes;
    out.bytes += d.backlog_bytes;
    out.age_seconds = std::max(out.age_seconds, d.backlog_age_seconds);
  }
  return out;
}

nlohmann::json ObservedAttributes(const agent::AgentStatus& status, int64_t observed_at_ms) {
  uint64_t sent = 0, full_sync_sent = 0, repair_sent = 0, size = 0;
  bool link_up = !status.disks.empty();
  nlohmann::json disks = nlohmann::json::array();
  for (const auto& d : status.disks) {
    sent += d.bytes_sent;
    full_sync_sent += d.full_sync_bytes_sent;
    repair_sent += d.repair_bytes_sent;
    size += d.size_bytes;
    link_up = link_up && d.link_up;
    disks.push_back({{"disk", d.disk},
                     {"state", d.state},
                     {"progress_percent", d.progress_percent},
                     {"size_bytes", d.size_bytes},
                     {"lag_seconds", d.lag_seconds}});
  }
  nlohmann::json out = {{"state", status.state},
                        {"progress_percent", OverallProgress(status)},
                        {"lag_seconds", status.lag_seconds},
                        {"bytes_sent", sent},
                        {"full_sync_bytes_sent", full_sync_sent},
                        {"repair_bytes_sent", repair_sent},
                        {"size_bytes", size},
                        {"link_up", link_up},
                        {"nbd_address", status.nbd_address},
                        {"last_error", FirstDiskError(status)},
                        {"observed_at", observed_at_ms},
                        {"agent_version", status.version},
                        {"disks", disks}};
  // Every write older than the RPO is on the shadow host: the replica is known good up to then.
  if (const double rpo = LiveRpoSeconds(status); rpo >= 0) {
    out["replicated_through"] = observed_at_ms - static_cast<int64_t>(rpo * 1000);
  }
  if (const auto backlog = BacklogOf(status)) {
    out["backlog"] = {{"writes", backlog->writes}, {"bytes", backlog->bytes}, {"age_seconds", backlog->age_seconds}};
  }
  out["online_verify"] = VerifyToJson(SummarizeVerify(status));
  out["agent_settings"] = AgentSettingsJson(status.settings);  // "unknown" from an agent too old to say
  return out;
}

nlohmann::json WithoutObservations(const nlohmann::json& attributes) {
  nlohmann::json out = attributes;
  if (out.is_object()) {
    out.erase("observed");
    out.erase("rpo_seconds");
  }
  return out;
}

bool MergeObservation(const agent::AgentStatus& status, state::ResourceRecord* record) {
  const nlohmann::json before = record->attributes.value("observed", nlohmann::json::object());
  nlohmann::json observed = ObservedAttributes(status, NowUnixMillis());
  // An observation that proves nothing (an error, a sync) keeps the last time the replica was known good.
  if (!observed.contains("replicated_through") && before.contains("replicated_through")) {
    observed["replicated_through"] = before["replicated_through"];
  }
  // The agent does not know which client certificates reach its exports; the provider said so (MergeObserved).
  if (before.contains("nbd_tls_dir")) observed["nbd_tls_dir"] = before["nbd_tls_dir"];
  record->attributes["observed"] = std::move(observed);
  if (const double rpo = LiveRpoSeconds(status); rpo >= 0) {
    record->attributes["rpo_seconds"] = rpo;
  } else {
    record->attributes.erase("rpo_seconds");
  }
  const std::string error = FirstDiskError(status);
  if (IsErrorState(status.state) && !error.empty()) record->attributes["last_error"] = error;
  // Back in realtime, an earlier error is over; a refusal (a start refused in initialized) stays to be read.
  if (IsRealtimeState(status.state)) record->attributes.erase("last_error");
  if (!IsKnownServerState(status.state) || status.state == record->status || OwnedByCdr(record->status)) return false;
  record->status = status.state;
  return true;
}

std::vector<ObservedChange> MergeObserved(const std::vector<state::ResourceRecord>& records,
                                          const Observed& observed) {
  std::vector<ObservedChange> out;
  for (const auto& r : records) {
    auto seen = observed.servers.find(r.address);
    if (seen == observed.servers.end() || !seen->second.status) continue;
    if (EffectiveServerState(r, &seen->second) != seen->second.status->state) continue;
    ObservedChange change{r, r.status};
    MergeObservation(*seen->second.status, &change.record);
    if (seen->second.agent) change.record.attributes["observed"]["nbd_tls_dir"] = seen->second.agent->nbd_tls_dir;
    out.push_back(std::move(change));
  }
  return out;
}

Status RecordObserved(state::StateStore& store, const std::vector<ObservedChange>& changes) {
  // A record that moved since it was read (another step, another command) is newer than this observation.
  std::map<std::string, std::string> status_now;
  for (const auto& r : store.Resources()) status_now[r.address] = r.status;
  std::vector<state::ResourceRecord> current;
  for (const auto& c : changes) {
    auto now = status_now.find(c.record.address);
    if (now != status_now.end() && now->second == c.from) current.push_back(c.record);
  }
  // One commit for the whole round: a no-op apply of 200 servers made 200 durable writes.
  CDR_RETURN_IF_ERROR(store.PutAll(current));
  for (const auto& c : changes) {
    auto now = status_now.find(c.record.address);
    if (now == status_now.end() || now->second != c.from || c.from == c.record.status) continue;
    spdlog::info("{}: {} → {} (observed from the agent)", c.record.address, c.from, c.record.status);
    auto job = store.StartJob(c.record.address, "observe");
    if (!job.ok()) return job.status();
    CDR_RETURN_IF_ERROR(store.AddJobEvent(*job, c.from, c.record.status, "observed from the agent"));
    CDR_RETURN_IF_ERROR(store.FinishJob(*job, state::JobStatus::kSucceeded));
  }
  return Status::Ok();
}

}  // namespace cdr::reconcile
