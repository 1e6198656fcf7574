// The local cloud's processes as a whole: `cdr local down` stops every agent, shadow host and DR host process
// (as if the machines were switched off) and `cdr local up` starts them again. Only processes change: records,
// tokens, agent state, replicas and the DR hosts' points and writes stay, so everything resumes where it was.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "providers/local/internal/cloud_config.h"
#include "providers/local/internal/daemon.h"
#include "providers/local/internal/dr_host_record.h"
#include "providers/local/internal/layout.h"
#include "providers/local/internal/records.h"
#include "providers/local/local_provider.h"

namespace cdr::providers::local {
namespace {

namespace fs = std::filesystem;

constexpr char kShadowProgram[] = "cdr-shadow";
constexpr char kDrDiskProgram[] = "cdr-dr-disk";

// Agent records by host id; an unreadable record stops the listing (kDataLoss names its file).
Result<std::vector<internal::AgentRecord>> ReadAgentRecords(const fs::path& root) {
  std::vector<internal::AgentRecord> records;
  std::error_code ec;
  fs::directory_iterator it(internal::AgentsDir(root), ec);
  if (ec) return records;
  for (const auto& entry : it) {
    if (!entry.is_directory(ec)) continue;
    auto record = internal::ReadAgent(internal::AgentFile(root, entry.path().filename().string()));
    if (record.ok()) {
      records.push_back(std::move(*record));
    } else if (record.status().code() != StatusCode::kNotFound) {  // a directory without record: never ran
      return record.status();
    }
  }
  std::sort(records.begin(), records.end(),
            [](const auto& a, const auto& b) { return a.agent.host_id < b.agent.host_id; });
  return records;
}

// The records (one JSON file each) in `dir`, sorted by `id_of`; an unreadable one stops the listing.
template <typename Record, typename Read, typename IdOf>
Result<std::vector<Record>> ReadRecordFiles(const fs::path& dir, Read read, IdOf id_of) {
  std::vector<Record> records;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) return records;
  for (const auto& entry : it) {
    if (entry.path().extension() != ".json") continue;
    Result<Record> record = read(entry.path());
    if (record.ok()) {
      records.push_back(std::move(*record));
    } else if (record.status().code() != StatusCode::kNotFound) {
      return record.status();
    }
  }
  std::sort(records.begin(), records.end(), [&](const Record& a, const Record& b) { return id_of(a) < id_of(b); });
  return records;
}

Result<std::vector<internal::ShadowRecord>> ReadShadowRecords(const fs::path& root) {
  return ReadRecordFiles<internal::ShadowRecord>(internal::ShadowsDir(root), internal::ReadShadow,
                                                 [](const internal::ShadowRecord& r) { return r.shadow.id; });
}

Result<std::vector<internal::DrHostRecord>> ReadDrHostRecords(const fs::path& root) {
  return ReadRecordFiles<internal::DrHostRecord>(internal::DrHostsDir(root), internal::ReadDrHost,
                                                 [](const internal::DrHostRecord& r) { return r.host.id; });
}

ProcessChange Failed(std::string kind, std::string id, Status status) {
  ProcessChange change;
  change.kind = std::move(kind);
  change.id = std::move(id);
  change.outcome = "failed";
  change.status = std::move(status);
  return change;
}

ProcessChange Stop(std::string kind, std::string id, int pid, const std::string& program,
                   const fs::path& ready_file) {
  auto stopped = internal::StopDaemon(pid, program, ready_file);
  if (!stopped.ok()) return Failed(std::move(kind), std::move(id), stopped.status());
  ProcessChange change;
  change.kind = std::move(kind);
  change.id = std::move(id);
  change.pid = *stopped;
  change.outcome = *stopped != 0 ? "stopped" : "not running";
  return change;
}

}  // namespace

Result<std::vector<Agent>> LocalProvider::ListAgents() {
  auto records = ReadAgentRecords(root_);
  if (!records.ok()) return records.status();
  std::vector<Agent> agents;
  for (const auto& record : *records) {
    auto agent = DescribeAgent(record.agent.host_id);
    if (agent.ok()) agents.push_back(std::move(*agent));
  }
  return agents;
}

std::vector<ProcessChange> LocalProvider::StopAllProcesses() {
  std::vector<ProcessChange> changes;
  if (auto agents = ReadAgentRecords(root_); !agents.ok()) {
    changes.push_back(Failed("agent", "*", agents.status()));
  } else {
    for (const auto& r : *agents) {
      const std::string& host = r.agent.host_id;
      changes.push_back(Stop("agent", host, r.pid, r.program, internal::AgentReadyFile(root_, host)));
    }
  }
  if (auto shadows = ReadShadowRecords(root_); !shadows.ok()) {
    changes.push_back(Failed("shadow", "*", shadows.status()));
  } else {
    for (const auto& r : *shadows) {
      const ShadowHost& s = r.shadow;
      if (Status zone = internal::CheckZone(zones_, "zone of shadow host " + s.id, s.zone); !zone.ok()) {
        changes.push_back(Failed("shadow", s.id, zone));
        continue;
      }
      changes.push_back(
          Stop("shadow", s.id, r.pid, kShadowProgram, internal::ShadowReadyFile(root_, s.zone, s.id)));
    }
  }
  if (auto hosts = ReadDrHostRecords(root_); !hosts.ok()) {
    changes.push_back(Failed("dr_host", "*", hosts.status()));
  } else {
    for (const auto& r : *hosts) {
      const DrHost& h = r.host;
      if (Status zone = internal::CheckZone(zones_, "zone of DR host " + h.id, h.zone); !zone.ok()) {
        changes.push_back(Failed("dr_host", h.id, zone));
        continue;
      }
      changes.push_back(Stop("dr_host", h.id, r.pid, kDrDiskProgram, internal::DrHostReadyFile(root_, h.zone, h.id)));
    }
  }
  return changes;
}

std::vector<ProcessChange> LocalProvider::StartAllProcesses() {
  std::vector<ProcessChange> changes;
  auto record_start = [&changes](std::string kind, std::string id, bool was_running, int pid,
                                 std::string address, const Status& status) {
    if (!status.ok()) {
      changes.push_back(Failed(std::move(kind), std::move(id), status));
      return;
    }
    ProcessChange change;
    change.kind = std::move(kind);
    change.id = std::move(id);
    change.pid = pid;
    change.address = std::move(address);
    change.outcome = was_running ? "already running" : "started";
    changes.push_back(std::move(change));
  };
  if (auto agents = ReadAgentRecords(root_); !agents.ok()) {
    changes.push_back(Failed("agent", "*", agents.status()));
  } else {
    for (auto& r : *agents) {
      const std::string host_id = r.agent.host_id;
      const bool was_running =
          internal::IsDaemonRunning(r.pid, r.program, internal::AgentReadyFile(root_, host_id));
      auto host = AgentHost(host_id, "start");
      if (!host.ok()) {
        changes.push_back(Failed("agent", host_id, host.status()));
        continue;
      }
      auto agent = EnsureAgentRunning(*host, std::move(r));
      // The pid is only in the record, which EnsureAgentRunning has just rewritten.
      auto record = internal::ReadAgent(internal::AgentFile(root_, host_id));
      record_start("agent", host_id, was_running, record.ok() ? record->pid : 0,
                   agent.ok() ? agent->nbd_address : "", agent.status());
    }
  }
  if (auto shadows = ReadShadowRecords(root_); !shadows.ok()) {
    changes.push_back(Failed("shadow", "*", shadows.status()));
  } else {
    for (auto& r : *shadows) {
      const std::string id = r.shadow.id;
      if (Status zone = internal::CheckZone(zones_, "zone of shadow host " + id, r.shadow.zone); !zone.ok()) {
        changes.push_back(Failed("shadow", id, zone));
        continue;
      }
      const bool was_running = internal::IsDaemonRunning(r.pid, kShadowProgram,
                                                         internal::ShadowReadyFile(root_, r.shadow.zone, id));
      auto shadow = EnsureShadowRunning(std::move(r));
      auto record = internal::ReadShadow(internal::ShadowFile(root_, id));
      record_start("shadow", id, was_running, record.ok() ? record->pid : 0,
                   shadow.ok() ? shadow->replication_address : "", shadow.status());
    }
  }
  if (auto hosts = ReadDrHostRecords(root_); !hosts.ok()) {
    changes.push_back(Failed("dr_host", "*", hosts.status()));
  } else {
    for (auto& r : *hosts) {
      const std::string id = r.host.id;
      if (Status zone = internal::CheckZone(zones_, "zone of DR host " + id, r.host.zone); !zone.ok()) {
        changes.push_back(Failed("dr_host", id, zone));
        continue;
      }
      const bool was_running = internal::IsDaemonRunning(r.pid, kDrDiskProgram,
                                                         internal::DrHostReadyFile(root_, r.host.zone, id));
      auto host = EnsureDrHostRunning(std::move(r));
      auto record = internal::ReadDrHost(internal::DrHostFile(root_, id));
      record_start("dr_host", id, was_running, record.ok() ? record->pid : 0, host.ok() ? host->nbd_address : "",
                   host.status());
    }
  }
  return changes;
}

}  // namespace cdr::providers::local
