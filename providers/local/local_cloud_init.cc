// Administrative calls that shape the local cloud itself (`cdr local init`, adding and deleting hosts). They
// play the part of the cloud console: the reconciler never calls them, it only observes what they leave.
#include <spdlog/spdlog.h>

#include "common/json_file.h"
#include "providers/local/internal/cloud_config.h"
#include "providers/local/internal/daemon.h"
#include "providers/local/internal/disk_image.h"
#include "providers/local/internal/flavors.h"
#include "providers/local/internal/host_certificates.h"
#include "providers/local/internal/layout.h"
#include "providers/local/internal/records.h"
#include "providers/local/local_provider.h"

namespace cdr::providers::local {
namespace {

namespace fs = std::filesystem;

constexpr char kBootDisk[] = "vda";

// A distinct private address per host; it is only a recorded fact, nothing ever connects to it.
std::string HostIp(int number) {
  return "10.0." + std::to_string(number / 254) + "." + std::to_string(number % 254 + 1);
}

Status CreateDirectory(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Internal(dir.string() + ": " + ec.message());
  return Status::Ok();
}

// The zone holding `host_id`, or empty when no zone does.
std::string FindHostZone(const fs::path& root, const internal::CloudConfig& config,
                         const std::string& host_id) {
  for (const auto& zone : config.zones) {
    std::error_code ec;
    if (fs::exists(internal::HostFile(root, zone, host_id), ec)) return zone;
  }
  return "";
}

void RemoveQuietly(const fs::path& path) {
  std::error_code ec;
  fs::remove(path, ec);
}

}  // namespace

Status LocalProvider::Init(const fs::path& root, const InitOptions& opts) {
  std::error_code ec;
  if (fs::exists(internal::CloudFile(root), ec)) {
    return AlreadyExists("a local cloud already exists at " + root.string());
  }
  if (opts.hosts < 0) return InvalidArgument("hosts must not be negative");
  if (opts.op_delay_ms < 0) return InvalidArgument("op_delay_ms must not be negative");

  internal::CloudConfig config;
  config.op_delay_ms = opts.op_delay_ms;
  for (const auto& zone : config.zones) {
    CDR_RETURN_IF_ERROR(CreateDirectory(internal::HostsDir(root, zone)));
    CDR_RETURN_IF_ERROR(CreateDirectory(internal::DisksDir(root, zone)));
  }
  CDR_RETURN_IF_ERROR(CreateDirectory(internal::PeeringsDir(root)));
  CDR_RETURN_IF_ERROR(CreateDirectory(internal::EndpointsDir(root)));
  CDR_RETURN_IF_ERROR(CreateDirectory(internal::AgentsDir(root)));
  CDR_RETURN_IF_ERROR(internal::EnsureOperatorCertificate(root));
  CDR_RETURN_IF_ERROR(internal::WriteCloudConfig(root, config));

  for (int i = 1; i <= opts.hosts; ++i) {
    HostTemplate host;
    host.id = "host-" + std::to_string(i);
    host.zone = config.production_zone;
    host.disk_size_bytes = opts.disk_size_bytes;
    CDR_RETURN_IF_ERROR(AddHost(root, host));
  }
  spdlog::info("initialized local cloud at {} with {} hosts", root.string(), opts.hosts);
  return Status::Ok();
}

Status LocalProvider::AddHost(const fs::path& root, const HostTemplate& tmpl) {
  auto config = internal::ReadCloudConfig(root);
  if (!config.ok()) return config.status();

  // Every problem in one answer, so a bad template is fixed in one go.
  std::string problems;
  auto note = [&problems](const Status& s) {
    if (!s.ok()) problems += (problems.empty() ? "" : "; ") + s.message();
  };
  if (!internal::IsSafeId(tmpl.id)) note(InvalidArgument("invalid host id \"" + tmpl.id + "\""));
  auto flavor = internal::LookupFlavor(tmpl.flavor);
  note(flavor.status());
  note(internal::CheckZone(config->zones, "zone", tmpl.zone));
  if (tmpl.disk_size_bytes <= 0) note(InvalidArgument("disk_size_bytes must be positive"));
  if (!problems.empty()) return InvalidArgument(problems);
  if (!FindHostZone(root, *config, tmpl.id).empty())
    return AlreadyExists("host " + tmpl.id + " already exists");

  const int number = config->next_host_number++;
  CDR_RETURN_IF_ERROR(internal::WriteCloudConfig(root, *config));

  const fs::path image = fs::absolute(internal::DiskImage(root, tmpl.zone, tmpl.id, kBootDisk));
  CDR_RETURN_IF_ERROR(internal::CreateSparseImage(image, tmpl.disk_size_bytes));
  if (tmpl.filesystem == "ext4") {
    if (Status s = internal::FormatExt4(image, tmpl.id); !s.ok()) {
      RemoveQuietly(image);
      return s;
    }
  }

  HostFacts host;
  host.id = tmpl.id;
  host.zone = tmpl.zone;
  host.vpc = tmpl.vpc;
  host.flavor = tmpl.flavor;
  host.vcpus = flavor->vcpus;
  host.memory_mib = flavor->memory_mib;
  host.os = tmpl.os;
  host.filesystem = tmpl.filesystem;
  host.ip = HostIp(number);
  host.power_state = "running";
  host.disks.push_back({kBootDisk, image.string(), tmpl.disk_size_bytes});
  // The record is written last: a host exists only once its disk is complete.
  if (Status s =
          WriteJsonFileAtomically(internal::HostFile(root, tmpl.zone, tmpl.id), internal::HostToJson(host));
      !s.ok()) {
    RemoveQuietly(image);
    return s;
  }
  spdlog::debug("local cloud: added host {} in {} ({}, {})", host.id, host.zone, host.flavor,
                host.filesystem);
  return Status::Ok();
}

Result<std::vector<fs::path>> LocalProvider::RevokeCertificates(const fs::path& root, const std::string& id) {
  const fs::path canonical = internal::CanonicalRoot(root);
  if (!fs::exists(internal::CloudFile(canonical))) {
    return FailedPrecondition("no local cloud at " + root.string() + " (run: cdr local init)");
  }
  return internal::RevokeHostCertificates(canonical, id);
}

Status LocalProvider::DeleteHost(const fs::path& root, const std::string& host_id) {
  auto config = internal::ReadCloudConfig(root);
  if (!config.ok()) return config.status();
  if (!internal::IsSafeId(host_id)) return InvalidArgument("invalid host id \"" + host_id + "\"");
  const std::string zone = FindHostZone(root, *config, host_id);
  if (zone.empty()) return NotFound("host " + host_id + " does not exist");

  // A deleted machine takes its agent with it; the agent record stays, as the DR service's registration
  // would, so the reconciler notices that the host has gone.
  auto agent = internal::ReadAgent(internal::AgentFile(root, host_id));
  auto stopped = internal::StopDaemon(agent.ok() ? agent->pid : 0, agent.ok() ? agent->program : "cdr-agent",
                                      internal::AgentReadyFile(internal::CanonicalRoot(root), host_id));
  if (!stopped.ok()) return stopped.status();

  const fs::path record = internal::HostFile(root, zone, host_id);
  auto host = internal::ReadHost(record);
  std::error_code ec;
  // The record goes first so the host disappears in one step even if removing a disk fails.
  if (!fs::remove(record, ec) && ec) return Internal(record.string() + ": " + ec.message());
  // Disks are removed by their place in the layout, not by the recorded path: a hand-edited record must not
  // make cdr delete files outside ROOT.
  RemoveQuietly(internal::DiskImage(root, zone, host_id, kBootDisk));
  if (host.ok()) {
    for (const auto& disk : host->disks) {
      if (internal::IsSafeId(disk.id)) RemoveQuietly(internal::DiskImage(root, zone, host_id, disk.id));
    }
  }
  spdlog::debug("local cloud: deleted host {} from {}", host_id, zone);
  return Status::Ok();
}

}  // namespace cdr::providers::local
