// Failback's seeded replicas (docs/state-machine.md): a shadow host whose replica images already hold most of
// the data, so the agent starting with compare_first sends only the blocks that differ (cdr-shadow adopts an
// image it finds without a state file when the agent asks for a repair: shadow/replica_disk.h).
//
//   replicas_are_disks_of HOST  REPLICA_DIR/<server_id>/<disk>.img ──symlink──► HOST's disk image
//                               (reverse replication writes straight into the original production disk)
//   seed_from_dr_host DR-HOST   the DR host's images are moved to REPLICA_DIR/<server_id>/<disk>.img
//                               (protection again after a failback: the DR host is deleted next, its disks
//                               become the new replicas, as a cloud re-attaches volumes; nothing is copied)
#include <spdlog/spdlog.h>

#include "providers/local/internal/daemon.h"
#include "providers/local/internal/dr_host_record.h"
#include "providers/local/internal/layout.h"
#include "providers/local/internal/records.h"
#include "providers/local/local_provider.h"

namespace cdr::providers::local {
namespace {

namespace fs = std::filesystem;

constexpr char kDrDiskProgram[] = "cdr-dr-disk";

Status LinkProductionDisks(const HostFacts& host, const fs::path& server_dir) {
  for (const DiskFacts& disk : host.disks) {
    const fs::path replica = server_dir / (disk.id + ".img");
    std::error_code ec;
    fs::remove(replica, ec);
    fs::create_symlink(disk.path, replica, ec);
    if (ec) return Internal("link " + replica.string() + " to " + disk.path + ": " + ec.message());
  }
  return Status::Ok();
}

}  // namespace

Status LocalProvider::PlaceSeededReplicas(const ShadowHostRequest& request, const fs::path& replica_dir) {
  if (request.replicas_are_disks_of.empty() && request.seed_from_dr_host.empty()) return Status::Ok();
  if (!request.replicas_are_disks_of.empty() && !request.seed_from_dr_host.empty()) {
    return InvalidArgument("a shadow host's replicas are either a host's disks or a DR host's, not both");
  }
  const fs::path server_dir = replica_dir / request.server_id;
  std::error_code ec;
  fs::create_directories(server_dir, ec);
  if (ec) return Internal(server_dir.string() + ": " + ec.message());
  if (!request.replicas_are_disks_of.empty()) {
    auto host = DescribeHost(request.replicas_are_disks_of);
    if (!host.ok()) return host.status();
    CDR_RETURN_IF_ERROR(LinkProductionDisks(*host, server_dir));
    spdlog::info("local cloud: shadow replicas of {} are host {}'s disks", request.server_id, host->id);
    return Status::Ok();
  }
  const std::string& id = request.seed_from_dr_host;
  if (!internal::IsSafeId(id)) return InvalidArgument("invalid DR host id \"" + id + "\"");
  auto dr = internal::ReadDrHost(internal::DrHostFile(root_, id));
  if (!dr.ok()) return dr.status();
  // Its disks change hands: no process of the DR host may hold them any more.
  if (internal::IsDaemonRunning(dr->pid, kDrDiskProgram, internal::DrHostReadyFile(root_, dr->host.zone, id))) {
    return FailedPrecondition("DR host " + id + " still serves its disks: stop it before seeding replicas from them");
  }
  if (auto agent = DescribeAgent(id); agent.ok() && agent->status == "running") {
    return FailedPrecondition("the reverse agent on DR host " + id + " still runs: uninstall it first");
  }
  for (const std::string& disk : dr->host.disks) {
    const fs::path image = internal::DrHostImagesDir(root_, dr->host.zone, id) / (disk + ".img");
    const fs::path replica = server_dir / (disk + ".img");
    fs::rename(image, replica, ec);
    if (ec) return Internal("move " + image.string() + " to " + replica.string() + ": " + ec.message());
  }
  spdlog::info("local cloud: DR host {}'s disks seed the shadow replicas of {}", id, request.server_id);
  return Status::Ok();
}

}  // namespace cdr::providers::local
