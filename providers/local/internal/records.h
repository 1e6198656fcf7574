// JSON form of each record the local cloud keeps. Conversions are explicit functions rather than nlohmann
// to_json/from_json hooks on the shared provider structs, so other adapters stay free to choose their own.
// A record that does not parse is kDataLoss: someone edited or truncated it outside cdr.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "common/status.h"
#include "providers/types/agent.h"
#include "providers/types/endpoint.h"
#include "providers/types/host.h"
#include "providers/types/peering.h"
#include "providers/types/shadow_host.h"

namespace cdr::providers::local::internal {

// The client_token is stored beside the resource so a retried Create finds what the first attempt made.
struct PeeringRecord {
  Peering peering;
  std::string client_token;
};

struct EndpointRecord {
  Endpoint endpoint;
  std::string client_token;
};

// The agent plus what only the local cloud needs: the pid of its cdr-agent process. The recorded addresses
// are those of that process; Describe reports them only while it runs.
struct AgentRecord {
  Agent agent;
  int pid = 0;
  std::string program = "cdr-agent";  // the release's program (agent_builds.h), which the pid must run
};

struct ShadowRecord {
  ShadowHost shadow;
  std::string client_token;
  int pid = 0;
};

nlohmann::json HostToJson(const HostFacts& host);
nlohmann::json PeeringToJson(const PeeringRecord& record);
nlohmann::json EndpointToJson(const EndpointRecord& record);
nlohmann::json AgentToJson(const AgentRecord& record);
nlohmann::json ShadowToJson(const ShadowRecord& record);

// kNotFound when the file is absent (the resource was deleted), kDataLoss when it does not parse.
Result<HostFacts> ReadHost(const std::filesystem::path& path);
Result<PeeringRecord> ReadPeering(const std::filesystem::path& path);
Result<EndpointRecord> ReadEndpoint(const std::filesystem::path& path);
Result<AgentRecord> ReadAgent(const std::filesystem::path& path);
Result<ShadowRecord> ReadShadow(const std::filesystem::path& path);

}  // namespace cdr::providers::local::internal
