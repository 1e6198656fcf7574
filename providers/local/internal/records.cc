#include "providers/local/internal/records.h"

#include "common/json_file.h"
#include "providers/local/internal/agent_builds.h"
#include "providers/local/internal/secret_file.h"

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

// The status is not stored: it is whether the recorded process runs, decided on every Describe.
json AgentToJson(const AgentRecord& record) {
  const Agent& agent = record.agent;
  return {{"host_id", agent.host_id},
          {"version", agent.version},
          {"installed_at", agent.installed_at},
          {"group", agent.group},
          {"pid", record.pid},
          {"program", record.program},
          {"api_address", agent.api_address},
          {"api_tls_dir", agent.api_tls_dir},
          {"nbd_address", agent.nbd_address},
          {"nbd_tls_dir", agent.nbd_tls_dir}};
}

json ShadowToJson(const ShadowRecord& record) {
  const ShadowHost& s = record.shadow;
  return {{"id", s.id},
          {"name", s.name},
          {"zone", s.zone},
          {"vpc", s.vpc},
          {"server_id", s.server_id},
          {"disk_type", s.disk_type},
          {"replication_address", s.replication_address},
          {"replica_dir", s.replica_dir},
          {"group", s.group},
          {"server_name", s.server_name},
          {"metrics_address", s.metrics_address},
          {"pid", record.pid},
          {"client_token", record.client_token}};
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

Result<AgentRecord> ReadAgent(const std::filesystem::path& path) {
  return ReadRecord<AgentRecord>(path, [&path](const json& j) -> Result<AgentRecord> {
    AgentRecord record;
    Agent& agent = record.agent;
    agent.host_id = Str(j, "host_id");
    agent.version = Str(j, "version");
    agent.installed_at = j.at("installed_at").get<int64_t>();
    agent.group = j.value("group", "");
    agent.api_address = j.value("api_address", "");
    // The token stays in its own 0600 file beside this one (0644), never copied in here.
    Result<std::string> token = ReadSecretFile(path.parent_path() / "token");
    if (token.ok()) agent.api_token = *token;
    agent.api_tls_dir = j.value("api_tls_dir", "");
    agent.nbd_address = j.value("nbd_address", "");
    agent.nbd_tls_dir = j.value("nbd_tls_dir", "");
    record.pid = j.value("pid", 0);
    record.program = j.value("program", "cdr-agent");
    // The program is started and stopped by name: a hand-edited one must stay a cdr-agent beside cdr.
    if (std::string problems = AgentProgramProblems(record.program); !problems.empty()) {
      return DataLoss(path.string() + ": program \"" + record.program + "\" " + problems);
    }
    return record;
  });
}

Result<ShadowRecord> ReadShadow(const std::filesystem::path& path) {
  return ReadRecord<ShadowRecord>(path, [](const json& j) {
    ShadowRecord record;
    ShadowHost& s = record.shadow;
    s.id = Str(j, "id");
    s.name = Str(j, "name");
    s.zone = Str(j, "zone");
    s.vpc = Str(j, "vpc");
    s.server_id = Str(j, "server_id");
    s.disk_type = Str(j, "disk_type");
    s.replication_address = j.value("replication_address", "");
    s.replica_dir = Str(j, "replica_dir");
    s.group = j.value("group", "");
    s.server_name = j.value("server_name", "");
    s.metrics_address = j.value("metrics_address", "");
    record.pid = j.value("pid", 0);
    record.client_token = j.value("client_token", "");
    return record;
  });
}

}  // namespace cdr::providers::local::internal
