// Failback's reverse agent (docs/state-machine.md, reverse registration): the same cdr-agent production hosts
// get, put in front of a failed-over DR host's standalone disk images. The DR host's cdr-dr-disk is stopped
// first, so the agent is the only process writing the images and every write of the DR workload passes
// through its journal. The agent is recorded under agents/DR-HOST-ID like any other, so DescribeAgent,
// UninstallAgent and `cdr local up`/`down` treat it as one.
#include <spdlog/spdlog.h>

#include "common/clock.h"
#include "providers/local/internal/agent_builds.h"
#include "providers/local/internal/daemon.h"
#include "providers/local/internal/dr_host_record.h"
#include "providers/local/internal/layout.h"
#include "providers/local/internal/records.h"
#include "providers/local/local_provider.h"

namespace cdr::providers::local {
namespace {

namespace fs = std::filesystem;

constexpr char kDrDiskProgram[] = "cdr-dr-disk";

// The DR host seen as a protected host: its disks are its standalone images.
Result<HostFacts> DrHostFacts(const fs::path& root, const DrHost& dr) {
  if (!dr.standalone) {
    return FailedPrecondition("DR host " + dr.id + " still reads its disks from the shadow host's history; a "
                              "reverse agent needs standalone disks (confirm the failover first)");
  }
  HostFacts host;
  host.id = dr.id;
  host.zone = dr.zone;
  host.flavor = dr.flavor;
  host.ip = dr.ip;
  host.power_state = "running";
  for (const std::string& disk : dr.disks) {
    const fs::path image = internal::DrHostImagesDir(root, dr.zone, dr.id) / (disk + ".img");
    std::error_code ec;
    const auto size = fs::file_size(image, ec);
    if (ec) return DataLoss(image.string() + ": " + ec.message());
    host.disks.push_back({disk, image.string(), static_cast<int64_t>(size)});
  }
  return host;
}

}  // namespace

Result<HostFacts> LocalProvider::AgentHost(const std::string& host_id, const std::string& action) {
  auto dr = internal::ReadDrHost(internal::DrHostFile(root_, host_id));
  if (dr.ok()) return DrHostFacts(root_, dr->host);
  if (dr.status().code() != StatusCode::kNotFound) return dr.status();
  return HostForAgent(host_id, action);
}

Result<Agent> LocalProvider::InstallReverseAgent(const ReverseAgentRequest& request) {
  SimulateLatency();
  const std::string& id = request.dr_host_id;
  if (!internal::IsSafeId(id)) return InvalidArgument("invalid DR host id \"" + id + "\"");
  auto dr = internal::ReadDrHost(internal::DrHostFile(root_, id));
  if (!dr.ok()) {
    if (dr.status().code() == StatusCode::kNotFound) {
      return NotFound("cannot install the reverse agent: DR host " + id + " does not exist");
    }
    return dr.status();
  }
  auto host = DrHostFacts(root_, dr->host);
  if (!host.ok()) return host.status();

  auto existing = internal::ReadAgent(internal::AgentFile(root_, id));
  if (!existing.ok() && existing.status().code() != StatusCode::kNotFound) return existing.status();
  internal::AgentRecord record;
  if (existing.ok()) {
    record = std::move(*existing);
  } else {
    record.agent.host_id = id;
    // EnsureAgentRunning starts the program of this release: the cdr-agent built with cdr, whose version it is.
    record.agent.version = internal::DefaultAgentVersion();
    record.agent.installed_at = NowUnixMillis();
    record.agent.group = request.group;
  }
  // Two processes writing the same images would lose writes: the DR host's own server goes first.
  auto stopped = internal::StopDaemon(dr->pid, kDrDiskProgram, internal::DrHostReadyFile(root_, dr->host.zone, id));
  if (!stopped.ok()) return stopped.status();
  if (*stopped != 0) spdlog::info("local cloud: DR host {}: cdr-dr-disk (pid {}) hands its disks to the agent", id, *stopped);
  return EnsureAgentRunning(*host, std::move(record));
}

}  // namespace cdr::providers::local
