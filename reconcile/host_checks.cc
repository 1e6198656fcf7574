#include "reconcile/host_checks.h"

#include "reconcile/address.h"

namespace cdr::reconcile {

void CheckHostFacts(const specs::GroupSpec& group, const specs::ServerSpec& server,
                    const std::map<std::string, providers::HostFacts>& hosts,
                    std::vector<specs::Diagnostic>* errors) {
  const std::string path = ServerAddress(group.name, server.name) + ".host";
  auto error = [&](std::string message) { errors->push_back({server.host_pos, path, std::move(message)}); };
  auto it = hosts.find(server.host);
  if (it == hosts.end()) {
    error("host `" + server.host + "` does not exist in the provider");
    return;
  }
  const providers::HostFacts& h = it->second;
  if (h.zone != group.production_zone) {
    error("host `" + h.id + "` is in zone " + h.zone + " but group " + group.name + " protects zone " +
          group.production_zone);
  }
  if (h.vpc != group.vpc) {
    error("host `" + h.id + "` is in VPC " + h.vpc + " but group " + group.name + " protects VPC " + group.vpc +
          " (a protection group holds the servers of one VPC)");
  }
  if (h.vcpus < kMinVcpus || h.memory_mib < kMinMemoryMib) {
    error("host `" + h.id + "` (" + h.flavor + ") has " + std::to_string(h.vcpus) + " vCPU and " +
          std::to_string(h.memory_mib) + " MiB memory; a protected server needs at least 2 vCPU and 4 GiB");
  }
  if (h.filesystem != "ext4" && h.filesystem != "xfs") {
    error("host `" + h.id + "` uses filesystem " + h.filesystem + "; supported filesystems are ext4 and xfs");
  }
}

}  // namespace cdr::reconcile
