// Agent upgrade on the local cloud: another release of cdr-agent (agent_builds.h) takes over a host's disks on
// the same state dir (journal, dirty bitmap, replication target and epoch), token and certificates.
//
//   UpgradeAgent(host, version)
//     version offered? ──no──► kInvalidArgument naming the offered versions (nothing stopped)
//     its program found? ──no──► kFailedPrecondition (nothing stopped)
//     the running release is that version ──► Ok (a resumed upgrade that had finished)
//     SIGTERM the old process: it closes its exports cleanly (journal flushed, bitmap marked clean) and keeps its
//       desired replication state ──► the record names the new release, pid 0 (a crash here is resumed: the next
//       upgrade starts the new release) ──► start the new program, wait for its ready file
//                                             └─ it exits or never gets ready ──► kFailedPrecondition with its log
//
// The new agent resumes replication from its journal (the shadow's acknowledged seq): no full sync, no repair.
// Whether it is healthy (it answers, reports its version and the state it was in) is for the caller to see
// through the control API, as for any agent.
#include <spdlog/spdlog.h>

#include "common/json_file.h"
#include "providers/local/internal/agent_builds.h"
#include "providers/local/internal/binary_locator.h"
#include "providers/local/internal/daemon.h"
#include "providers/local/internal/layout.h"
#include "providers/local/internal/records.h"
#include "providers/local/local_provider.h"

namespace cdr::providers::local {

Result<AgentVersions> LocalProvider::ListAgentVersions() {
  AgentVersions versions;
  for (const auto& [version, program] : agent_builds_) versions.offered.push_back(version);
  versions.default_version = internal::DefaultAgentVersion();
  return versions;
}

Result<Agent> LocalProvider::UpgradeAgent(const AgentUpgradeRequest& request) {
  SimulateLatency();
  auto program = internal::AgentProgramFor(agent_builds_, request.version);
  if (!program.ok()) return program.status();
  auto host = HostForAgent(request.host_id, "upgrade");
  if (!host.ok()) return host.status();
  auto record = internal::ReadAgent(internal::AgentFile(root_, request.host_id));
  if (!record.ok()) {
    if (record.status().code() == StatusCode::kNotFound) {
      return NotFound("cannot upgrade the agent: no agent installed on host " + request.host_id);
    }
    return record.status();
  }
  // Checked before the old agent is stopped: a release that is not there must not leave the host unprotected.
  if (auto binary = internal::FindCdrBinary(*program); !binary.ok()) return binary.status();

  const std::filesystem::path ready_file = internal::AgentReadyFile(root_, request.host_id);
  const bool same_release = record->program == *program && record->agent.version == request.version;
  if (!same_release || !internal::IsDaemonRunning(record->pid, record->program, ready_file)) {
    const std::string from = record->agent.version;
    auto stopped = internal::StopDaemon(record->pid, record->program, ready_file);
    if (!stopped.ok()) return stopped.status();
    if (*stopped != 0) {
      spdlog::info("local cloud: agent {} of {} (pid {}) stopped for {}", from, request.host_id, *stopped,
                   request.version);
    }
    record->program = *program;
    record->agent.version = request.version;
    record->pid = 0;
    record->agent.api_address.clear();
    record->agent.nbd_address.clear();
    CDR_RETURN_IF_ERROR(
        WriteJsonFileAtomically(internal::AgentFile(root_, request.host_id), internal::AgentToJson(*record)));
  }
  auto agent = EnsureAgentRunning(*host, std::move(*record));
  if (!agent.ok()) {
    return FailedPrecondition("agent " + request.version + " (" + *program + ") did not start on " +
                              request.host_id + ": " + agent.status().message());
  }
  return agent;
}

}  // namespace cdr::providers::local
