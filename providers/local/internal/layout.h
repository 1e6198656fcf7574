// Where each record of the local cloud lives under ROOT (the layout is drawn in local_provider.h). Ids become
// file names, so every id is checked with IsSafeId before it is turned into a path.
#pragma once

#include <filesystem>
#include <string>

namespace cdr::providers::local::internal {

namespace fs = std::filesystem;

// Letters, digits, '-', '_' and '.', not starting with '.', at most 64 characters: no path can escape ROOT.
bool IsSafeId(const std::string& id);

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
inline fs::path AgentFile(const fs::path& root, const std::string& host_id) {
  return AgentsDir(root) / (host_id + ".json");
}

}  // namespace cdr::providers::local::internal
