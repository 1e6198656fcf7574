#include "providers/local/internal/cloud_config.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/json_file.h"
#include "providers/local/internal/agent_builds.h"
#include "providers/local/internal/layout.h"

namespace cdr::providers::local::internal {

Status CheckZone(const std::vector<std::string>& zones, const std::string& field, const std::string& zone) {
  if (zone.empty()) return InvalidArgument(field + " is empty");
  if (std::find(zones.begin(), zones.end(), zone) != zones.end()) return Status::Ok();
  std::string known;
  for (const auto& z : zones) known += (known.empty() ? "" : ", ") + z;
  return InvalidArgument(field + " \"" + zone + "\" is not a zone of this cloud (" + known + ")");
}

Result<CloudConfig> ReadCloudConfig(const std::filesystem::path& root) {
  std::error_code ec;
  if (!std::filesystem::exists(CloudFile(root), ec)) {
    return FailedPrecondition("no local cloud at " + root.string() + "; run `cdr local init`");
  }
  auto json = ReadJsonFile(CloudFile(root));
  if (!json.ok()) return json.status();
  try {
    const auto& j = *json;
    CloudConfig config;
    config.format_version = j.at("format_version").get<int>();
    if (config.format_version != 1) {
      return FailedPrecondition(CloudFile(root).string() + ": unsupported format_version " +
                                std::to_string(config.format_version));
    }
    config.zones = j.at("zones").get<std::vector<std::string>>();
    config.production_zone = j.at("production_zone").get<std::string>();
    config.dr_zone = j.at("dr_zone").get<std::string>();
    config.op_delay_ms = j.value("op_delay_ms", 0);
    config.next_host_number = j.value("next_host_number", 1);
    config.agent_versions = j.value("agent_versions", std::map<std::string, std::string>{});
    for (const auto& [version, program] : config.agent_versions) {
      if (std::string problems = AgentProgramProblems(program); !problems.empty()) {
        return DataLoss(CloudFile(root).string() + ": agent_versions." + version + ": program \"" + program +
                        "\" " + problems);
      }
    }
    return config;
  } catch (const nlohmann::json::exception& e) {
    return DataLoss(CloudFile(root).string() + ": " + e.what());
  }
}

Status WriteCloudConfig(const std::filesystem::path& root, const CloudConfig& config) {
  nlohmann::json j = {
      {"format_version", config.format_version},   {"zones", config.zones},
      {"production_zone", config.production_zone}, {"dr_zone", config.dr_zone},
      {"op_delay_ms", config.op_delay_ms},         {"next_host_number", config.next_host_number},
  };
  if (!config.agent_versions.empty()) j["agent_versions"] = config.agent_versions;
  return WriteJsonFileAtomically(CloudFile(root), j);
}

}  // namespace cdr::providers::local::internal
