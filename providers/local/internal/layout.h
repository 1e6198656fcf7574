// Where each record of the local cloud lives under ROOT (the layout is drawn in local_provider.h). Ids become
// file names, so every id is checked with IsSafeId before it is turned into a path.
#pragma once

#include <filesystem>
#include <string>

namespace cdr::providers::local::internal {

namespace fs = std::filesystem;

// Letters, digits, '-', '_' and '.', not starting with '.', at most 64 characters: no path can escape ROOT.
bool IsSafeId(const std::string& id);

// ROOT as the processes of the cloud are given it: absolute (they run from "/") and in one spelling, because
// a process is recognised by the exact ready-file path among its arguments.
inline fs::path CanonicalRoot(const fs::path& root) {
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(fs::absolute(root), ec);
  return ec ? fs::absolute(root).lexically_normal() : canonical;
}

inline fs::path CloudFile(const fs::path& root) { return root / "cloud.json"; }
inline fs::path ZoneDir(const fs::path& root, const std::string& zone) { return root / "zones" / zone; }
inline fs::path HostsDir(const fs::path& root, const std::string& zone) {
  return ZoneDir(root, zone) / "hosts";
}
inline fs::path DisksDir(const fs::path& root, const std::string& zone) {
  return ZoneDir(root, zone) / "disks";
}
inline fs::path HostFile(const fs::path& root, const std::string& zone, const std::string& host_id) {
  return HostsDir(root, zone) / (host_id + ".json");
}
inline fs::path DiskImage(const fs::path& root, const std::string& zone, const std::string& host_id,
                          const std::string& disk_id) {
  return DisksDir(root, zone) / (host_id + "-" + disk_id + ".img");
}
inline fs::path PeeringsDir(const fs::path& root) { return root / "peerings"; }
inline fs::path PeeringFile(const fs::path& root, const std::string& id) {
  return PeeringsDir(root) / (id + ".json");
}
inline fs::path EndpointsDir(const fs::path& root) { return root / "endpoints"; }
inline fs::path EndpointFile(const fs::path& root, const std::string& id) {
  return EndpointsDir(root) / (id + ".json");
}
inline fs::path AgentsDir(const fs::path& root) { return root / "agents"; }
// Everything of one host's agent lives in one directory, so uninstalling is one remove_all.
inline fs::path AgentDir(const fs::path& root, const std::string& host_id) {
  return AgentsDir(root) / host_id;
}
inline fs::path AgentFile(const fs::path& root, const std::string& host_id) {
  return AgentDir(root, host_id) / "agent.json";
}
inline fs::path AgentTokenFile(const fs::path& root, const std::string& host_id) {
  return AgentDir(root, host_id) / "token";
}
inline fs::path AgentStateDir(const fs::path& root, const std::string& host_id) {
  return AgentDir(root, host_id) / "state";
}
inline fs::path AgentReadyFile(const fs::path& root, const std::string& host_id) {
  return AgentDir(root, host_id) / "ready.json";
}
inline fs::path AgentPidFile(const fs::path& root, const std::string& host_id) {
  return AgentDir(root, host_id) / "agent.pid";
}
inline fs::path AgentLogFile(const fs::path& root, const std::string& host_id) {
  return AgentDir(root, host_id) / "agent.log";
}
// The agent's TLS key and certificates (internal/host_certificates.h).
inline fs::path AgentTlsDir(const fs::path& root, const std::string& host_id) {
  return AgentDir(root, host_id) / "tls";
}
inline fs::path ShadowsDir(const fs::path& root) { return root / "shadows"; }
inline fs::path ShadowFile(const fs::path& root, const std::string& id) {
  return ShadowsDir(root) / (id + ".json");
}
// A shadow host's disks live in its zone, like a host's disks.
inline fs::path ShadowHostDir(const fs::path& root, const std::string& zone, const std::string& id) {
  return ZoneDir(root, zone) / "shadows" / id;
}
inline fs::path ShadowReplicaDir(const fs::path& root, const std::string& zone, const std::string& id) {
  return ShadowHostDir(root, zone, id) / "replicas";
}
inline fs::path ShadowReadyFile(const fs::path& root, const std::string& zone, const std::string& id) {
  return ShadowHostDir(root, zone, id) / "ready.json";
}
inline fs::path ShadowPidFile(const fs::path& root, const std::string& zone, const std::string& id) {
  return ShadowHostDir(root, zone, id) / "shadow.pid";
}
inline fs::path ShadowLogFile(const fs::path& root, const std::string& zone, const std::string& id) {
  return ShadowHostDir(root, zone, id) / "shadow.log";
}
inline fs::path ShadowTlsDir(const fs::path& root, const std::string& zone, const std::string& id) {
  return ShadowHostDir(root, zone, id) / "tls";
}

inline fs::path DrHostsDir(const fs::path& root) { return root / "dr_hosts"; }
inline fs::path DrHostFile(const fs::path& root, const std::string& id) { return DrHostsDir(root) / (id + ".json"); }
// A DR host's disks live in its zone: state/ holds the point it shows and its own writes, images/ its standalone
// disks once a failover is confirmed.
inline fs::path DrHostDir(const fs::path& root, const std::string& zone, const std::string& id) {
  return ZoneDir(root, zone) / "dr_hosts" / id;
}
// A DR host's standalone disks (after a confirmed failover): one DISK.img per disk.
inline fs::path DrHostImagesDir(const fs::path& root, const std::string& zone, const std::string& id) {
  return DrHostDir(root, zone, id) / "images";
}
// The DR host's NBD server certificate (internal/host_certificates.h).
inline fs::path DrHostTlsDir(const fs::path& root, const std::string& zone, const std::string& id) {
  return DrHostDir(root, zone, id) / "tls";
}
inline fs::path DrHostReadyFile(const fs::path& root, const std::string& zone, const std::string& id) {
  return DrHostDir(root, zone, id) / "ready.json";
}
// The bearer token of a shadow or DR host's /metrics, in that host's directory (ShadowHostDir, DrHostDir).
inline fs::path MetricsTokenFile(const fs::path& host_dir) { return host_dir / "metrics.token"; }
// A DR host's last verification {"result", "detail", "time_ns"}, which its cdr-dr-disk exports.
inline fs::path VerificationFile(const fs::path& dr_host_dir) { return dr_host_dir / "verification.json"; }
// Where a shadow host keeps one protected server's replicas, history, recovery points and policy.
inline fs::path ShadowServerDir(const fs::path& replica_dir, const std::string& server_id) {
  return replica_dir / server_id;
}

}  // namespace cdr::providers::local::internal
