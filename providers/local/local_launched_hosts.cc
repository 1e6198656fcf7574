// Failback to a new production host (restore_to_original = false): the local cloud launches it as `cdr local
// init` adds hosts, with raw (unformatted, sparse) disks of the DR host's sizes that reverse replication fills.
// The host record carries the request's client token, so the same request again returns the same host.
#include <spdlog/spdlog.h>

#include "common/json_file.h"
#include "providers/local/internal/layout.h"
#include "providers/local/internal/records.h"
#include "providers/local/local_provider.h"

namespace cdr::providers::local {
namespace {

constexpr char kOnlyDisk[] = "vda";

}  // namespace

Result<HostFacts> LocalProvider::CreateHost(const HostRequest& request) {
  SimulateLatency();
  if (!internal::IsSafeId(request.name)) return InvalidArgument("invalid host name \"" + request.name + "\"");
  const std::filesystem::path record = internal::HostFile(root_, request.zone, request.name);
  if (auto existing = DescribeHost(request.name); existing.ok()) {
    auto json = ReadJsonFile(record);
    if (json.ok() && json->value("client_token", "") == request.client_token) return existing;
    return AlreadyExists("host " + request.name + " already exists: give the new production host another name");
  }
  auto shape = AgentHost(request.disks_like, "shape the disks of");
  if (!shape.ok()) return shape.status();
  if (shape->disks.size() != 1 || shape->disks[0].id != kOnlyDisk) {
    return FailedPrecondition("the local cloud's hosts have one disk, vda; " + request.disks_like + " has " +
                         std::to_string(shape->disks.size()));
  }
  HostTemplate tmpl;
  tmpl.id = request.name;
  tmpl.zone = request.zone;
  tmpl.vpc = request.vpc;
  tmpl.flavor = request.flavor;
  tmpl.filesystem = "";  // raw: reverse replication writes every block
  tmpl.disk_size_bytes = shape->disks[0].size_bytes;
  CDR_RETURN_IF_ERROR(AddHost(root_, tmpl));
  auto json = ReadJsonFile(record);
  if (!json.ok()) return json.status();
  (*json)["client_token"] = request.client_token;
  (*json)["filesystem"] = request.filesystem;
  if (request.ip != "dhcp" && !request.ip.empty()) (*json)["ip"] = request.ip;
  CDR_RETURN_IF_ERROR(WriteJsonFileAtomically(record, *json));
  spdlog::info("local cloud: launched host {} in {} ({}), disks shaped like {}'s", request.name, request.zone,
               request.flavor, request.disks_like);
  return DescribeHost(request.name);
}

}  // namespace cdr::providers::local
