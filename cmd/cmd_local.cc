#include <cstdio>
#include <iostream>

#include "cmd/commands.h"

namespace cdr::cmd {
namespace {

using providers::local::LocalProvider;

int Report(const Status& s, const std::string& done) {
  if (!s.ok()) {
    PrintError(s.message());
    return kExitError;
  }
  std::cout << done << "\n";
  return kExitOk;
}

}  // namespace

int RunLocalInit(LocalOptions o) {
  o.init.disk_size_bytes = o.disk_size_mib << 20;
  return Report(LocalProvider::Init(o.root, o.init),
                "Local cloud ready at " + o.root + " with " + std::to_string(o.init.hosts) +
                    " production host(s) in az1 (DR zone az2).");
}

int RunLocalAddHost(LocalOptions o) {
  o.host.disk_size_bytes = o.disk_size_mib << 20;
  return Report(LocalProvider::AddHost(o.root, o.host), "Added host " + o.host.id + ".");
}

int RunLocalDeleteHost(const LocalOptions& o) {
  return Report(LocalProvider::DeleteHost(o.root, o.host_id), "Deleted host " + o.host_id + ".");
}

int RunLocalHosts(const LocalOptions& o) {
  auto provider = LocalProvider::Open(o.root);
  if (!provider.ok()) return Report(provider.status(), "");
  auto hosts = (*provider)->ListHosts({});
  if (!hosts.ok()) return Report(hosts.status(), "");
  std::printf("%-16s %-6s %-12s %-7s %4s %7s  %-6s %s\n", "HOST", "ZONE", "VPC", "FLAVOR", "VCPU", "MEMORY", "FS",
              "DISK");
  for (const auto& h : *hosts) {
    std::string disk = h.disks.empty() ? "-" : h.disks.front().path;
    std::printf("%-16s %-6s %-12s %-7s %4d %6lldM  %-6s %s\n", h.id.c_str(), h.zone.c_str(), h.vpc.c_str(),
                h.flavor.c_str(), h.vcpus, static_cast<long long>(h.memory_mib), h.filesystem.c_str(),
                disk.c_str());
  }
  return kExitOk;
}

}  // namespace cdr::cmd
