// ROOT/cloud.json: the facts about the local cloud as a whole. Read once by Open; rewritten only by the
// administrative calls (Init, AddHost), never by provider calls, so the reconciler never races it.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"

namespace cdr::providers::local::internal {

struct CloudConfig {
  int format_version = 1;
  std::vector<std::string> zones = {"az1", "az2"};
  std::string production_zone = "az1";
  std::string dr_zone = "az2";
  int op_delay_ms = 0;
  int next_host_number = 1;  // numbers host ips so each host gets a distinct one
  // Agent releases offered beyond the ones built with cdr (agent_builds.h): version → program (cdr-agent…),
  // found beside cdr or on PATH. Written by hand; `cdr local init` writes none.
  std::map<std::string, std::string> agent_versions;
};

// kInvalidArgument naming `field` and the cloud's zones when `zone` is empty or not one of `zones`.
Status CheckZone(const std::vector<std::string>& zones, const std::string& field, const std::string& zone);

// kFailedPrecondition (telling the operator to run `cdr local init`) when ROOT holds no cloud.
Result<CloudConfig> ReadCloudConfig(const std::filesystem::path& root);
Status WriteCloudConfig(const std::filesystem::path& root, const CloudConfig& config);

}  // namespace cdr::providers::local::internal
