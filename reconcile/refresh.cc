#include "reconcile/refresh.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <variant>

#include "providers/process_status.h"
#include "providers/types/agent.h"
#include "providers/types/dr_host.h"
#include "providers/types/endpoint.h"
#include "providers/types/host.h"
#include "providers/types/peering.h"
#include "providers/types/shadow_host.h"
#include "reconcile/address.h"
#include "reconcile/agent_settings.h"
#include "reconcile/bounded_parallel.h"
#include "reconcile/reverse_states.h"
#include "reconcile/server_state.h"
#include "state/record_status.h"

namespace cdr::reconcile {
namespace {

using providers::ProcessStatus;
using providers::ProcessStatusOf;

// Calls to the provider and to agents in flight at once during a refresh.
constexpr size_t kParallelReads = 16;

// What the provider says of each of `ids`, by id: the ids cut into kParallelReads slices, one batch read per
// slice (one request to a provider program, providers::types::ReadHosts), the slices read at once. An
// id the provider left out is gone (kNotFound); the first slice that fails fails the whole read.
template <typename T, typename DescribeMany>
Result<std::map<std::string, T>> ReadMany(const std::vector<std::string>& ids, std::string T::*id_of,
                                          DescribeMany describe_many) {
  const size_t slices = std::min(ids.size(), kParallelReads);
  std::vector<std::optional<Result<std::vector<T>>>> read(slices);
  ForEachBounded(slices, kParallelReads, [&](size_t s) {
    const std::vector<std::string> slice(ids.begin() + s * ids.size() / slices,
                                         ids.begin() + (s + 1) * ids.size() / slices);
    read[s] = describe_many(slice);
  });
  std::map<std::string, T> found;
  for (auto& slice : read) {
    if (!slice->ok()) return slice->status();
    for (T& resource : **slice) {
      std::string id = resource.*id_of;
      found.emplace(std::move(id), std::move(resource));
    }
  }
  return found;
}

// One resource of ReadMany's answer; kNotFound when the provider did not name it.
template <typename T>
Result<T> Found(const std::map<std::string, T>& found, const std::string& id, const char* what) {
  auto it = found.find(id);
  if (it == found.end()) return NotFound(std::string(what) + " " + id + " does not exist");
  return it->second;
}

// Interrupted steps are resumed by the next apply, not reported as drift.
bool InFlight(const state::ResourceRecord& r) { return state::IsInFlight(r); }

// The agent's install has not finished (or failed): there is no agent to read yet.
bool NoAgentYet(const state::ResourceRecord& r) {
  return IsOneOf(ParseServerState(r.status),
                 {ServerState::kAgentInstalling, ServerState::kAgentInstallFailed});
}

template <typename T>
Status CheckNetworkResource(const state::ResourceRecord& r, const Result<T>& found, const char* what,
                            Observed* out) {
  if (found.ok()) return Status::Ok();
  if (found.status().code() != StatusCode::kNotFound) return found.status();
  out->drift[r.address] = {r.address, r.kind, "deleted",
                           std::string(what) + " " + r.provider_id + " of group " + GroupOf(r.address) +
                               " was deleted outside cdr; protected servers cannot reach the DR zone until it "
                               "is created again (cdr apply does that)"};
  return Status::Ok();
}

// Each agent answers over its own connection, so they are asked all at once: one after another, a refresh of 200
// servers spends most of the plan's 1 s budget waiting on them. The controls are made here, one by one; only the
// calls run in parallel, each on its own agent.
void AskAgents(const AgentConnector& connect, const std::vector<ServerObservation*>& asked) {
  std::vector<std::unique_ptr<agent::ReplicationControl>> controls;
  for (ServerObservation* seen : asked) controls.push_back(connect(*seen->agent));
  ForEachBounded(asked.size(), kParallelReads, [&](size_t i) {
    auto status = controls[i]->GetStatus();
    if (status.ok()) {
      asked[i]->status = std::move(*status);
    } else {
      asked[i]->status_error = status.status().ToString();
    }
  });
}

// The host whose agent protects server record `r`, when the provider is to be asked about it: during a
// failback the reverse agent on its DR host.
std::optional<std::string> AgentHostToRead(const state::ResourceRecord& r, const Observed& out) {
  const std::string host = r.attributes.value("host", "");
  if (!out.hosts.count(host)) return std::nullopt;
  if (NoAgentYet(r)) return std::nullopt;
  return IsReverseAgentState(r.status) ? r.attributes.value("reverse_agent", "") : host;
}

// Adds the server's observation to *to_ask when its agent runs and should be asked for its status. `read`: what
// the provider said of the agent on AgentHostToRead(r); null when it was not asked.
Status CheckServer(const state::ResourceRecord& r, Result<providers::Agent>* read, Observed* out,
                   std::vector<std::string>* to_ask) {
  const std::string host = r.attributes.value("host", "");
  if (!out->hosts.count(host)) {
    out->drift[r.address] = {r.address, r.kind, "host_gone",
                             "host " + host + " no longer exists in the provider; remove the server from the "
                             "spec to deregister it"};
    return Status::Ok();
  }
  if (NoAgentYet(r)) return Status::Ok();
  const std::string agent_host = AgentHostToRead(r, *out).value_or("");
  Result<providers::Agent>& agent = *read;
  if (!agent.ok()) {
    if (agent.status().code() != StatusCode::kNotFound) return agent.status();
    out->drift[r.address] = {r.address, r.kind, "agent_missing",
                             "the cdr agent on host " + agent_host + " was removed outside cdr (state says " +
                                 r.status + "); cdr apply installs it again"};
    return Status::Ok();
  }
  ServerObservation& seen = out->servers[r.address];
  seen.agent = std::move(*agent);
  // Around an upgrade the agent is down on purpose: the upgrade step starts it (agent_upgrade_failed is reported
  // as the error it is).
  if (ProcessStatusOf(*seen.agent) == ProcessStatus::kStopped && !IsInterruptedCdrStep(r.status) &&
      !IsAgentUpgradeState(r.status)) {
    out->drift[r.address] = {r.address, r.kind, "agent_stopped",
                             "the cdr agent process on host " + agent_host + " is not running (state says " +
                                 r.status + "): nothing is replicated; cdr apply restarts it"};
    return Status::Ok();
  }
  if (seen.AgentRunning()) to_ask->push_back(r.address);
  return Status::Ok();
}

Status CheckShadowHost(const state::ResourceRecord& r, Result<providers::ShadowHost> shadow, Observed* out) {
  if (shadow.ok()) {
    if (ProcessStatusOf(*shadow) == ProcessStatus::kStopped) {
      out->drift[r.address] = {r.address, r.kind, "shadow_host_stopped",
                               "the cdr-shadow process of shadow host " + r.provider_id + " (" +
                                   ServerOf(r.address) +
                                   ") is not running: nothing is received; its replicas are kept and cdr apply "
                                   "restarts it (on a new address, which the agent is then pointed at)"};
    }
    out->servers[ServerOf(r.address)].shadow = std::move(*shadow);
    return Status::Ok();
  }
  if (shadow.status().code() != StatusCode::kNotFound) return shadow.status();
  out->drift[r.address] = {r.address, r.kind, "deleted",
                           "shadow host " + r.provider_id + " of " + ServerOf(r.address) +
                               " was deleted outside cdr with its replicas; replication needs it created again "
                               "and a new full sync (cdr apply does that)"};
  return Status::Ok();
}

Status CheckDrHost(const state::ResourceRecord& r, Result<providers::DrHost> host, Observed* out) {
  const std::string what =
      r.attributes.value("purpose", "drill") + " DR host " + r.attributes.value("name", "");
  if (host.ok()) {
    out->dr_hosts[r.address] = *host;
    // After a failback the DR host is kept stopped on purpose, as the seed of production's new replicas.
    if (ProcessStatusOf(*host) == ProcessStatus::kStopped && !r.attributes.value("failed_back", false)) {
      out->drift[r.address] = {r.address, r.kind, "dr_host_stopped",
                               "the " + what + " (" + r.provider_id +
                                   ") is not running: its disks are not served; cdr apply starts it again at the "
                                   "same recovery point, keeping what was written to it"};
    }
    return Status::Ok();
  }
  if (host.status().code() != StatusCode::kNotFound) return host.status();
  out->drift[r.address] = {r.address, r.kind, "deleted",
                           "the " + what + " (" + r.provider_id + ") was deleted outside cdr; cdr apply brings it "
                           "up again from the recovery point in the spec"};
  return Status::Ok();
}

// A reverse agent reports forward states; the server is in their reverse_* form (reverse_states.h).
void NameReverseStates(const std::vector<state::ResourceRecord>& records, Observed* out) {
  for (const auto& r : records) {
    auto seen = out->servers.find(r.address);
    if (r.kind != ResourceKind::kServer || !IsReverseAgentState(r.status) || seen == out->servers.end())
      continue;
    if (!seen->second.status) continue;
    const std::string_view reverse = ReverseState(seen->second.status->state);
    if (!reverse.empty()) seen->second.status->state = std::string(reverse);
  }
}

// A shadow host restarted outside an apply (`cdr local up`, a reboot) listens on a new address while its
// agent still streams to the old one: nothing reaches the replica although both processes run. The same holds
// for a failback's reverse agent and its receiver (their states already renamed reverse_*).
void CheckReplicationTarget(const state::ResourceRecord& r, Observed* out) {
  auto seen = out->servers.find(r.address);
  if (seen == out->servers.end() || !seen->second.status || !seen->second.shadow) return;
  const agent::AgentStatus& status = *seen->second.status;
  const providers::ShadowHost& shadow = *seen->second.shadow;
  // Forward or reverse (the reverse agent's states are renamed reverse_* already), streaming or repairing.
  const std::optional<ServerState> state = ParseServerState(status.state);
  const bool streaming = state && IsReplicatingState(*state);
  if (!streaming || ProcessStatusOf(shadow) != ProcessStatus::kRunning || status.shadow_address.empty() ||
      status.shadow_address == shadow.replication_address || out->drift.count(r.address)) {
    return;
  }
  out->drift[r.address] = {r.address, r.kind, "replication_target_stale",
                           "the agent replicates to " + status.shadow_address + " but shadow host " + shadow.id +
                               " now listens on " + shadow.replication_address +
                               ": nothing reaches the replica; cdr apply points the agent at the new address"};
}

// The settings the spec manages (the state's attributes) against what the agent reports in effect: set on the
// agent outside cdr, or lost (an agent reinstalled by hand). An agent that does not answer, or too old to
// report them, says nothing: unknown is not drift.
void CheckAgentSettings(const state::ResourceRecord& r, Observed* out) {
  auto seen = out->servers.find(r.address);
  if (seen == out->servers.end() || !seen->second.status || !seen->second.status->settings) return;
  if (OwnedByCdr(r.status) || out->drift.count(r.address)) return;
  const agent::AgentSettings& reported = *seen->second.status->settings;
  const std::string differs = DescribeSettingsDrift(r.attributes, reported);
  if (differs.empty()) return;
  nlohmann::json observed = nlohmann::json::object();
  for (AgentSettingKey key : kAgentSettingKeys) {
    const char* name = AgentSettingName(key);
    if (r.attributes.contains(name) && r.attributes[name] != AgentSettingValue(key, reported)) {
      observed[name] = AgentSettingValue(key, reported);
    }
  }
  out->drift[r.address] = {
      r.address, r.kind, "settings_changed",
      "the agent on " + r.attributes.value("host", "") + " reports " + differs +
          ": changed outside cdr; cdr apply sets the spec's values on the running agent in "
          "place (no resync)",
      std::move(observed)};
}

// What the provider says of one record: the read its Check* function needs, or nothing to read
// (std::monostate).
using ProviderRead =
    std::variant<std::monostate, Result<providers::Peering>, Result<providers::Endpoint>,
                 Result<providers::Agent>, Result<providers::ShadowHost>, Result<providers::DrHost>>;

// The agents and shadow hosts of a refresh, read in batches (ReadMany) before the rest.
struct BatchReads {
  std::map<std::string, providers::Agent> agents;  // by host id
  std::map<std::string, providers::ShadowHost> shadow_hosts;
};

ProviderRead Read(providers::ResourceProvider& provider, const state::ResourceRecord& r, const Observed& out,
                  const BatchReads& batch) {
  if (InFlight(r)) return {};
  switch (r.kind) {
    case ResourceKind::kPeering:
      return providers::types::ReadPeering(provider, r.provider_id);
    case ResourceKind::kEndpoint:
      return providers::types::ReadEndpoint(provider, r.provider_id);
    case ResourceKind::kServer:
      if (auto agent_host = AgentHostToRead(r, out)) return Found(batch.agents, *agent_host, "agent on host");
      return {};
    case ResourceKind::kShadowHost:
      return Found(batch.shadow_hosts, r.provider_id, "shadow host");
    case ResourceKind::kDrHost:
      if (r.provider_id.empty()) return {};
      return providers::types::ReadDrHost(provider, r.provider_id);
    case ResourceKind::kGroup:
      return {};
  }
  return {};
}

}  // namespace

Result<Observed> Refresh(providers::ResourceProvider& provider,
                         const std::vector<state::ResourceRecord>& records,
                         const std::vector<std::string>& spec_hosts, const AgentConnector& connect) {
  Observed out;
  std::vector<std::string> to_ask;
  std::set<std::string> hosts(spec_hosts.begin(), spec_hosts.end());
  for (const auto& r : records) {
    if (r.kind == ResourceKind::kServer) hosts.insert(r.attributes.value("host", ""));
  }
  const std::vector<std::string> host_ids(hosts.begin(), hosts.end());
  auto facts = ReadMany(host_ids, &providers::HostFacts::id, [&](const std::vector<std::string>& ids) {
    return providers::types::ReadHosts(provider, ids);
  });
  if (!facts.ok()) return facts.status();
  out.hosts = std::move(*facts);
  std::set<std::string> agent_hosts, shadow_ids;
  for (const auto& r : records) {
    if (InFlight(r)) continue;
    if (r.kind == ResourceKind::kServer) {
      if (auto agent_host = AgentHostToRead(r, out)) agent_hosts.insert(*agent_host);
    } else if (r.kind == ResourceKind::kShadowHost) {
      shadow_ids.insert(r.provider_id);
    }
  }
  BatchReads batch;
  auto agents = ReadMany(
      {agent_hosts.begin(), agent_hosts.end()}, &providers::Agent::host_id,
      [&](const std::vector<std::string>& ids) { return providers::types::ReadAgents(provider, ids); });
  if (!agents.ok()) return agents.status();
  batch.agents = std::move(*agents);
  auto shadows = ReadMany(
      {shadow_ids.begin(), shadow_ids.end()}, &providers::ShadowHost::id,
      [&](const std::vector<std::string>& ids) { return providers::types::ReadShadowHosts(provider, ids); });
  if (!shadows.ok()) return shadows.status();
  batch.shadow_hosts = std::move(*shadows);
  // The provider's other answers are gathered in parallel, then read in the state's order, so the drift and
  // the first error are the same as one read after another would give.
  std::vector<ProviderRead> reads(records.size());
  ForEachBounded(records.size(), kParallelReads,
                 [&](size_t i) { reads[i] = Read(provider, records[i], out, batch); });
  for (size_t i = 0; i < records.size(); ++i) {
    const state::ResourceRecord& r = records[i];
    if (InFlight(r)) continue;
    switch (r.kind) {
      case ResourceKind::kPeering:
        CDR_RETURN_IF_ERROR(
            CheckNetworkResource(r, std::get<Result<providers::Peering>>(reads[i]), "VPC peering", &out));
        break;
      case ResourceKind::kEndpoint:
        CDR_RETURN_IF_ERROR(
            CheckNetworkResource(r, std::get<Result<providers::Endpoint>>(reads[i]), "VPC endpoint", &out));
        break;
      case ResourceKind::kServer:
        CDR_RETURN_IF_ERROR(CheckServer(r, std::get_if<Result<providers::Agent>>(&reads[i]), &out, &to_ask));
        break;
      case ResourceKind::kShadowHost:
        CDR_RETURN_IF_ERROR(
            CheckShadowHost(r, std::get<Result<providers::ShadowHost>>(std::move(reads[i])), &out));
        break;
      case ResourceKind::kDrHost:
        if (!r.provider_id.empty()) {
          CDR_RETURN_IF_ERROR(CheckDrHost(r, std::get<Result<providers::DrHost>>(std::move(reads[i])), &out));
        }
        break;
      case ResourceKind::kGroup:
        break;
    }
  }
  if (connect) {
    std::vector<ServerObservation*> asked;
    for (const std::string& address : to_ask) asked.push_back(&out.servers[address]);
    AskAgents(connect, asked);
    NameReverseStates(records, &out);
  }
  for (const auto& r : records) {
    if (r.kind == ResourceKind::kServer && !InFlight(r)) CheckReplicationTarget(r, &out);
  }
  for (const auto& r : records) {
    if (r.kind == ResourceKind::kServer && !InFlight(r)) CheckAgentSettings(r, &out);
  }
  return out;
}

std::string EffectiveServerState(const state::ResourceRecord& record, const ServerObservation* observation) {
  if (OwnedByCdr(record.status)) return record.status;
  if (observation && observation->status && IsKnownServerState(observation->status->state)) {
    return observation->status->state;
  }
  return record.status;
}

}  // namespace cdr::reconcile
