// Opening the local cloud and reading host facts. Reads never sleep: only mutating calls simulate API
// latency, so a refresh of a few hundred records stays well under a second.
#include "providers/local/local_provider.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "providers/local/internal/agent_builds.h"
#include "providers/local/internal/cloud_config.h"
#include "providers/local/internal/layout.h"
#include "providers/local/internal/records.h"

namespace cdr::providers::local {

namespace fs = std::filesystem;

LocalProvider::LocalProvider(fs::path root, int op_delay_ms, bool insecure)
    // Canonical and absolute: the agent and shadow processes run from "/" and are recognised by paths under
    // ROOT.
    : root_(internal::CanonicalRoot(root)), op_delay_ms_(op_delay_ms), insecure_(insecure) {}

Result<std::unique_ptr<LocalProvider>> LocalProvider::Open(const fs::path& root, bool insecure) {
  auto config = internal::ReadCloudConfig(root);
  if (!config.ok()) return config.status();
  std::unique_ptr<LocalProvider> provider(new LocalProvider(root, config->op_delay_ms, insecure));
  provider->zones_ = config->zones;
  provider->agent_builds_ = internal::BuiltAgentReleases();
  provider->agent_builds_.insert(config->agent_versions.begin(), config->agent_versions.end());
  return provider;
}

void LocalProvider::SimulateLatency() const {
  if (op_delay_ms_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(op_delay_ms_));
}

Result<HostFacts> LocalProvider::DescribeHost(const std::string& host_id) {
  if (!internal::IsSafeId(host_id)) return InvalidArgument("invalid host id \"" + host_id + "\"");
  for (const auto& zone : zones_) {
    auto host = internal::ReadHost(internal::HostFile(root_, zone, host_id));
    if (host.ok() || host.status().code() != StatusCode::kNotFound) return host;
  }
  return NotFound("host " + host_id + " does not exist");
}

Result<std::vector<HostFacts>> LocalProvider::ListHosts(const ListHostsRequest& request) {
  std::vector<std::string> zones = zones_;
  if (!request.zone.empty()) {
    CDR_RETURN_IF_ERROR(internal::CheckZone(zones_, "zone", request.zone));
    zones = {request.zone};
  }
  std::vector<HostFacts> hosts;
  for (const auto& zone : zones) {
    std::error_code ec;
    fs::directory_iterator it(internal::HostsDir(root_, zone), ec);
    if (ec) continue;  // a zone without hosts may have no hosts directory
    for (const auto& entry : it) {
      // Skips the temp files of an atomic write in progress.
      if (entry.path().extension() != ".json") continue;
      auto host = internal::ReadHost(entry.path());
      if (host.ok()) {
        hosts.push_back(std::move(*host));
      } else if (host.status().code() != StatusCode::kNotFound) {  // NotFound: deleted while listing
        return host.status();
      }
    }
  }
  std::sort(hosts.begin(), hosts.end(), [](const HostFacts& a, const HostFacts& b) { return a.id < b.id; });
  return hosts;
}

}  // namespace cdr::providers::local
