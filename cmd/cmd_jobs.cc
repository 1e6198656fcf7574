#include <fmt/format.h>

#include <iostream>

#include "cmd/commands.h"
#include "common/clock.h"

namespace cdr::cmd {
namespace {

std::string Time(int64_t ms) { return ms == 0 ? "-" : FormatRfc3339(ms); }
// For machines: RFC 3339, or null for a time that has not happened (an unfinished job's end).
nlohmann::json JsonTime(int64_t ms) { return ms == 0 ? nlohmann::json() : nlohmann::json(FormatRfc3339(ms)); }

// A job left running by a command that died is not running; the next apply closes it as failed (interrupted).
// While a live command holds the lock, its jobs are shown as they are.
std::string StatusName(const state::Job& job, bool command_running) {
  if (job.status == state::JobStatus::kRunning && !command_running) return "interrupted";
  return state::JobStatusName(job.status);
}

}  // namespace

int RunJobs(const GlobalOptions& g, const JobsOptions& o) {
  if (!StateExistsOrSay(g)) return kExitOk;
  auto store = OpenStateOrReport(g);
  if (!store) return kExitError;
  auto jobs = store->Jobs(o.limit);
  const bool command_running = LiveLock(*store).has_value();
  if (o.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& j : jobs) {
      nlohmann::json events = nlohmann::json::array();
      for (const auto& e : store->JobEvents(j.id)) {
        events.push_back({{"time", JsonTime(e.time)}, {"from", e.from_state}, {"to", e.to_state}, {"message", e.message}});
      }
      out.push_back({{"id", j.id},
                     {"address", j.address},
                     {"operation", j.operation},
                     {"status", StatusName(j, command_running)},
                     {"progress", j.progress},
                     {"started_at", JsonTime(j.started_at)},
                     {"finished_at", JsonTime(j.finished_at)},
                     {"error", j.error},
                     {"events", events}});
    }
    std::cout << out.dump(2) << "\n";
    return kExitOk;
  }
  if (jobs.empty()) {
    std::cout << "No jobs yet.\n";
    return kExitOk;
  }
  std::cout << fmt::format("{:>5}  {:<36} {:<11} {:<10} {:>8}  {:<20} {:<20} {}\n", "ID", "RESOURCE", "OPERATION",
                           "STATUS", "PROGRESS", "STARTED", "FINISHED", "ERROR");
  for (const auto& j : jobs) {
    std::cout << fmt::format("{:>5}  {:<36} {:<11} {:<10} {:>7}%  {:<20} {:<20} {}\n", j.id, j.address, j.operation,
                             StatusName(j, command_running), j.progress, Time(j.started_at), Time(j.finished_at),
                             j.error);
    if (!o.events) continue;
    for (const auto& e : store->JobEvents(j.id)) {
      std::string arrow = e.from_state.empty() && e.to_state.empty()
                              ? ""
                              : (e.from_state.empty() ? "absent" : e.from_state) + " → " +
                                    (e.to_state.empty() ? "absent" : e.to_state) + ": ";
      std::cout << "         " << Time(e.time) << "  " << arrow << e.message << "\n";
    }
  }
  return kExitOk;
}

}  // namespace cdr::cmd
