#include "providers/local/internal/records.h"

#include "common/json_file.h"

namespace cdr::providers::local::internal {
namespace {

using nlohmann::json;

// Parses with nlohmann's throwing accessors and turns any mismatch into kDataLoss, so no exception leaves
// this file.
template <typename T, typename Parse>
Result<T> ReadRecord(const std::filesystem::path& path, Parse parse) {
  auto j = ReadJsonFile(path);
  if (!j.ok()) return j.status();
  try {
    return parse(*j);
  } catch (const json::exception& e) {
    return DataLoss(path.string() + ": " + e.what());
  }
}

std::string Str(const json& j, const char* key) { return j.at(key).get<std::string>(); }

}  // namespace

json HostToJson(const HostFacts& host) {
  json disks = json::array();
  for (const auto& disk : host.disks) {
    disks.push_back({{"id", disk.id}, {"path", disk.path}, {"size_bytes", disk.size_bytes}});
  }
  return {{"id", host.id},       {"zone", host.zone},
          {"vpc", host.vpc},     {"flavor", host.flavor},
          {"vcpus", host.vcpus}, {"memory_mib", host.memory_mib},
          {"os", host.os},       {"filesystem", host.filesystem},
          {"ip", host.ip},       {"power_state", host.power_state},
          {"disks", disks}};
}

json PeeringToJson(const PeeringRecord& record) {
  const Peering& p = record.peering;
  return {{"id", p.id},
          {"name", p.name},
          {"vpc", p.vpc},
          {"production_zone", p.production_zone},
          {"dr_zone", p.dr_zone},
          {"status", p.status},
          {"client_token", record.client_token}};
}

json EndpointToJson(const EndpointRecord& record) {
  const Endpoint& e = record.endpoint;
  return {{"id", e.id},
          {"name", e.name},
          {"vpc", e.vpc},
          {"zone", e.zone},
          {"address", e.address},
          {"status", e.status},
          {"client_token", record.client_token}};
}

json AgentToJson(const Agent& agent) {
  return {{"host_id", agent.host_id},
          {"version", agent.version},
          {"status", agent.status},
          {"installed_at", agent.installed_at},
          {"group", agent.group}};
}

Result<HostFacts> ReadHost(const std::filesystem::path& path) {
  return ReadRecord<HostFacts>(path, [](const json& j) {
    HostFacts host;
    host.id = Str(j, "id");
    host.zone = Str(j, "zone");
    host.vpc = Str(j, "vpc");
    host.flavor = Str(j, "flavor");
    host.vcpus = j.at("vcpus").get<int>();
    host.memory_mib = j.at("memory_mib").get<int64_t>();
    host.os = Str(j, "os");
    host.filesystem = Str(j, "filesystem");
    host.ip = Str(j, "ip");
    host.power_state = Str(j, "power_state");
    for (const auto& d : j.at("disks")) {
      host.disks.push_back({Str(d, "id"), Str(d, "path"), d.at("size_bytes").get<int64_t>()});
    }
    return host;
  });
}

Result<PeeringRecord> ReadPeering(const std::filesystem::path& path) {
  return ReadRecord<PeeringRecord>(path, [](const json& j) {
    PeeringRecord record;
    record.peering = {Str(j, "id"),      Str(j, "name"),  Str(j, "vpc"), Str(j, "production_zone"),
                      Str(j, "dr_zone"), Str(j, "status")};
    record.client_token = j.value("client_token", "");
    return record;
  });
}

Result<EndpointRecord> ReadEndpoint(const std::filesystem::path& path) {
  return ReadRecord<EndpointRecord>(path, [](const json& j) {
    EndpointRecord record;
    record.endpoint = {Str(j, "id"),   Str(j, "name"),    Str(j, "vpc"),
                       Str(j, "zone"), Str(j, "address"), Str(j, "status")};
    record.client_token = j.value("client_token", "");
    return record;
  });
}

Result<Agent> ReadAgent(const std::filesystem::path& path) {
  return ReadRecord<Agent>(path, [](const json& j) {
    Agent agent;
    agent.host_id = Str(j, "host_id");
    agent.version = Str(j, "version");
    agent.status = Str(j, "status");
    agent.installed_at = j.at("installed_at").get<int64_t>();
    agent.group = j.value("group", "");
    return agent;
  });
}

}  // namespace cdr::providers::local::internal
