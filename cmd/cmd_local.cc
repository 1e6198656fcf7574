#include "cmd/cmd_local.h"

#include <cstdio>
#include <iostream>

#include "cmd/commands.h"

namespace cdr::cmd {
namespace {

using providers::local::ProcessChange;
using providers::local::LocalProvider;

int Report(const Status& s, const std::string& done) {
  if (!s.ok()) {
    PrintError(s.message());
    return kExitError;
  }
  std::cout << done << "\n";
  return kExitOk;
}

// One line per process; failures go to stderr and make the command fail, the others are still handled.
int PrintChanges(const std::vector<ProcessChange>& changes, const char* none) {
  int failed = 0;
  for (const auto& c : changes) {
    if (!c.status.ok()) {
      PrintError(c.kind + " " + c.id + ": " + c.status.message());
      ++failed;
      continue;
    }
    std::string line = c.kind + " " + c.id + ": " + c.outcome;
    if (c.pid != 0)
      line += " (pid " + std::to_string(c.pid) + (c.address.empty() ? "" : ", " + c.address) + ")";
    std::cout << line << "\n";
  }
  if (changes.empty()) std::cout << none << "\n";
  return failed == 0 ? kExitOk : kExitError;
}

void PrintShadowHosts(LocalProvider& provider) {
  auto shadows = provider.ListShadowHosts();
  if (!shadows.ok()) {
    PrintError(shadows.status().message());
    return;
  }
  if (shadows->empty()) return;
  std::printf("\n%-16s %-6s %-16s %-5s %-8s %-22s %s\n", "SHADOW HOST", "ZONE", "SERVER", "DISK", "STATUS",
              "REPLICATION", "REPLICAS");
  for (const auto& s : *shadows) {
    std::printf("%-16s %-6s %-16s %-5s %-8s %-22s %s\n", s.id.c_str(), s.zone.c_str(), s.server_id.c_str(),
                s.disk_type.c_str(), s.status.c_str(),
                s.replication_address.empty() ? "-" : s.replication_address.c_str(), s.replica_dir.c_str());
  }
}

}  // namespace

int RunLocalInit(LocalOptions o) {
  o.init.disk_size_bytes = o.disk_size_mib << 20;
  return Report(LocalProvider::Init(o.root, o.init), "Local cloud ready at " + o.root + " with " +
                                                         std::to_string(o.init.hosts) +
                                                         " production host(s) in az1 (DR zone az2).");
}

int RunLocalAddHost(LocalOptions o) {
  o.host.disk_size_bytes = o.disk_size_mib << 20;
  return Report(LocalProvider::AddHost(o.root, o.host), "Added host " + o.host.id + ".");
}

int RunLocalDeleteHost(const LocalOptions& o) {
  return Report(LocalProvider::DeleteHost(o.root, o.host_id), "Deleted host " + o.host_id + ".");
}

int RunLocalRevoke(const LocalOptions& o) {
  auto revoked = LocalProvider::RevokeCertificates(o.root, o.host_id);
  if (!revoked.ok()) return Report(revoked.status(), "");
  for (const auto& path : *revoked) std::cout << "revoked " << path.string() << "\n";
  std::cout << "Every TLS listener of the cloud refuses them from its next connection on; a process started "
               "from now on gets a fresh certificate.\n";
  return kExitOk;
}

int RunLocalHosts(const LocalOptions& o) {
  auto provider = LocalProvider::Open(o.root);
  if (!provider.ok()) return Report(provider.status(), "");
  auto hosts = (*provider)->ListHosts({});
  if (!hosts.ok()) return Report(hosts.status(), "");
  std::printf("%-16s %-6s %-12s %-7s %4s %7s  %-6s %-8s %s\n", "HOST", "ZONE", "VPC", "FLAVOR", "VCPU",
              "MEMORY", "FS", "AGENT", "DISK");
  for (const auto& h : *hosts) {
    std::string disk = h.disks.empty() ? "-" : h.disks.front().path;
    auto agent = (*provider)->DescribeAgent(h.id);
    const std::string agent_status = agent.ok() ? agent->status : "-";
    std::printf("%-16s %-6s %-12s %-7s %4d %6lldM  %-6s %-8s %s\n", h.id.c_str(), h.zone.c_str(),
                h.vpc.c_str(), h.flavor.c_str(), h.vcpus, static_cast<long long>(h.memory_mib),
                h.filesystem.c_str(), agent_status.c_str(), disk.c_str());
  }
  PrintShadowHosts(**provider);
  return kExitOk;
}

int RunLocalDown(const LocalOptions& o) {
  auto provider = LocalProvider::Open(o.root);
  if (!provider.ok()) return Report(provider.status(), "");
  return PrintChanges((*provider)->StopAllProcesses(), "No agent or shadow host is installed.");
}

int RunLocalUp(const LocalOptions& o) {
  auto provider = LocalProvider::Open(o.root);
  if (!provider.ok()) return Report(provider.status(), "");
  return PrintChanges((*provider)->StartAllProcesses(), "No agent or shadow host is installed.");
}

}  // namespace cdr::cmd
