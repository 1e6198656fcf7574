#include "reconcile/observed_state.h"

#include <spdlog/spdlog.h>

#include "common/clock.h"
#include "reconcile/server_state.h"

namespace cdr::reconcile {

double OverallProgress(const agent::AgentStatus& status) {
  double total = 0, done = 0;
  for (const auto& d : status.disks) {
    total += static_cast<double>(d.size_bytes);
    done += static_cast<double>(d.size_bytes) * d.progress_percent / 100.0;
  }
  if (total > 0) return 100.0 * done / total;
  return status.state == "realtime" ? 100.0 : 0.0;
}

std::string FirstDiskError(const agent::AgentStatus& status) {
  for (const auto& d : status.disks) {
    if (!d.last_error.empty()) return d.disk + ": " + d.last_error;
  }
  return "";
}

nlohmann::json ObservedAttributes(const agent::AgentStatus& status) {
  uint64_t sent = 0, size = 0;
  bool link_up = !status.disks.empty();
  nlohmann::json disks = nlohmann::json::array();
  for (const auto& d : status.disks) {
    sent += d.full_sync_bytes_sent + d.repair_bytes_sent;
    size += d.size_bytes;
    link_up = link_up && d.link_up;
    disks.push_back({{"disk", d.disk},
                     {"state", d.state},
                     {"progress_percent", d.progress_percent},
                     {"size_bytes", d.size_bytes},
                     {"lag_seconds", d.lag_seconds}});
  }
  return {{"state", status.state},
          {"progress_percent", OverallProgress(status)},
          {"lag_seconds", status.lag_seconds},
          {"bytes_sent", sent},
          {"size_bytes", size},
          {"link_up", link_up},
          {"nbd_address", status.nbd_address},
          {"last_error", FirstDiskError(status)},
          {"observed_at", NowUnixMillis()},
          {"disks", disks}};
}

bool MergeObservation(const agent::AgentStatus& status, state::ResourceRecord* record) {
  record->attributes["observed"] = ObservedAttributes(status);
  // The RPO only means something while writes flow to the shadow.
  if (status.state == "realtime" || status.state == "full_sync") {
    record->attributes["rpo_seconds"] = status.lag_seconds;
  } else {
    record->attributes.erase("rpo_seconds");
  }
  const std::string error = FirstDiskError(status);
  if (IsErrorState(status.state) && !error.empty()) record->attributes["last_error"] = error;
  if (status.state == "realtime") record->attributes.erase("last_error");
  if (!IsKnownServerState(status.state) || status.state == record->status || OwnedByCdr(record->status)) return false;
  record->status = status.state;
  return true;
}

Status RecordObserved(state::StateStore& store, const Observed& observed) {
  for (const auto& [address, seen] : observed.servers) {
    if (!seen.status) continue;
    auto existing = store.Get(address);
    if (!existing || EffectiveServerState(*existing, &seen) != seen.status->state) continue;
    state::ResourceRecord r = *existing;
    const std::string from = r.status;
    if (!MergeObservation(*seen.status, &r)) {
      CDR_RETURN_IF_ERROR(store.Put(r));
      continue;
    }
    CDR_RETURN_IF_ERROR(store.Put(r));
    spdlog::info("{}: {} → {} (observed from the agent)", address, from, r.status);
    auto job = store.StartJob(address, "observe");
    if (!job.ok()) return job.status();
    CDR_RETURN_IF_ERROR(store.AddJobEvent(*job, from, r.status, "observed from the agent"));
    CDR_RETURN_IF_ERROR(store.FinishJob(*job, state::JobStatus::kSucceeded));
  }
  return Status::Ok();
}

}  // namespace cdr::reconcile
