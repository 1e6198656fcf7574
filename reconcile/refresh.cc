#include "reconcile/refresh.h"

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>

#include "reconcile/address.h"
#include "reconcile/agent_settings.h"
#include "reconcile/reverse_states.h"
#include "reconcile/server_state.h"

namespace cdr::reconcile {
namespace {

// Interrupted steps are resumed by the next apply, not reported as drift.
bool InFlight(const state::ResourceRecord& r) { return r.status == "creating" || r.status == "deleting"; }

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
  constexpr size_t kParallelAsks = 16;
  std::vector<std::unique_ptr<agent::ReplicationControl>> controls;
  for (ServerObservation* seen : asked) controls.push_back(connect(*seen->agent));
  std::atomic<size_t> next{0};
  auto ask = [&] {
    for (size_t i = next++; i < asked.size(); i = next++) {
      auto status = controls[i]->GetStatus();
      if (status.ok()) {
        asked[i]->status = std::move(*status);
      } else {
        asked[i]->status_error = status.status().ToString();
      }
    }
  };
  std::vector<std::thread> helpers;
  for (size_t t = 1; t < std::min(kParallelAsks, asked.size()); ++t) helpers.emplace_back(ask);
  ask();
  for (auto& helper : helpers) helper.join();
}

// Adds the server's observation to *to_ask when its agent runs and should be asked for its status.
Status CheckServer(providers::Provider& provider, const state::ResourceRecord& r, Observed* out,
                   std::vector<std::string>* to_ask) {
  const std::string host = r.attributes.value("host", "");
  if (!out->hosts.count(host)) {
    out->drift[r.address] = {r.address, r.kind, "host_gone",
                             "host " + host + " no longer exists in the provider; remove the server from the "
                             "spec to deregister it"};
    return Status::Ok();
  }
  if (r.status == "agent_installing" || r.status == "agent_install_failed") return Status::Ok();
  // During a failback the server is protected by the reverse agent on its DR host.
  const std::string agent_host = IsReverseAgentState(r.status) ? r.attributes.value("reverse_agent", "") : host;
  auto agent = provider.DescribeAgent(agent_host);
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
  if (seen.agent->status == "stopped" && !IsInterruptedCdrStep(r.status) && !IsAgentUpgradeState(r.status)) {
    out->drift[r.address] = {r.address, r.kind, "agent_stopped",
                             "the cdr agent process on host " + agent_host + " is not running (state says " +
                                 r.status + "): nothing is replicated; cdr apply restarts it"};
    return Status::Ok();
  }
  if (seen.AgentRunning()) to_ask->push_back(r.address);
  return Status::Ok();
}

Status CheckShadowHost(providers::Provider& provider, const state::ResourceRecord& r, Observed* out) {
  auto shadow = provider.DescribeShadowHost(r.provider_id);
  if (shadow.ok()) {
    if (shadow->status == "stopped") {
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

Status CheckDrHost(providers::Provider& provider, const state::ResourceRecord& r, Observed* out) {
  if (r.provider_id.empty()) return Status::Ok();
  const std::string what = r.attributes.value("purpose", "drill") + " DR host " + r.attributes.value("name", "");
  auto host = provider.DescribeDrHost(r.provider_id);
  if (host.ok()) {
    out->dr_hosts[r.address] = *host;
    // After a failback the DR host is kept stopped on purpose, as the seed of production's new replicas.
    if (host->status == "stopped" && !r.attributes.value("failed_back", false)) {
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

// A shadow host restarted outside an apply (`cdr local up`, a reboot) listens on a new address while its agent
// still streams to the old one: nothing reaches the replica although both processes run.
void CheckReplicationTarget(const state::ResourceRecord& r, Observed* out) {
  auto seen = out->servers.find(r.address);
  if (seen == out->servers.end() || !seen->second.status || !seen->second.shadow) return;
  const agent::AgentStatus& status = *seen->second.status;
  const providers::ShadowHost& shadow = *seen->second.shadow;
  const bool streaming =
      status.state == "replication_starting" || status.state == "full_sync" || status.state == "realtime";
  if (!streaming || shadow.status != "running" || status.shadow_address.empty() ||
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

}  // namespace

Result<Observed> Refresh(providers::Provider& provider, const std::vector<state::ResourceRecord>& records,
                         const std::vector<std::string>& spec_hosts, const AgentConnector& connect) {
  Observed out;
  std::vector<std::string> to_ask;
  std::set<std::string> hosts(spec_hosts.begin(), spec_hosts.end());
  for (const auto& r : records) {
    if (r.kind == ResourceKind::kServer) hosts.insert(r.attributes.value("host", ""));
  }
  for (const auto& id : hosts) {
    auto facts = provider.DescribeHost(id);
    if (facts.ok()) {
      out.hosts.emplace(id, std::move(*facts));
    } else if (facts.status().code() != StatusCode::kNotFound) {
      return facts.status();
    }
  }
  for (const auto& r : records) {
    if (InFlight(r)) continue;
    if (r.kind == ResourceKind::kPeering) {
      CDR_RETURN_IF_ERROR(CheckNetworkResource(r, provider.DescribePeering(r.provider_id), "VPC peering", &out));
    } else if (r.kind == ResourceKind::kEndpoint) {
      CDR_RETURN_IF_ERROR(
          CheckNetworkResource(r, provider.DescribeEndpoint(r.provider_id), "VPC endpoint", &out));
    } else if (r.kind == ResourceKind::kServer) {
      CDR_RETURN_IF_ERROR(CheckServer(provider, r, &out, &to_ask));
    } else if (r.kind == ResourceKind::kShadowHost) {
      CDR_RETURN_IF_ERROR(CheckShadowHost(provider, r, &out));
    } else if (r.kind == ResourceKind::kDrHost) {
      CDR_RETURN_IF_ERROR(CheckDrHost(provider, r, &out));
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

// States cdr drives itself, around provider calls (install, register) or DR-side steps (failover, failback,
// upgrade): the agent knows nothing of them, so its report does not replace them.
bool OwnedByCdr(const std::string& state) {
  static const std::set<std::string> kOwned = {
      "agent_installing", "agent_install_failed", "agent_upgrading", "agent_upgrade_failed",
      "failing_over",     "failed_over",          "failover_confirmed", "reverse_registering",
      "failing_back",     "failed_back",          "failback_error"};
  return IsInterruptedCdrStep(state) || kOwned.count(state) > 0;
}

std::string EffectiveServerState(const state::ResourceRecord& record, const ServerObservation* observation) {
  if (OwnedByCdr(record.status)) return record.status;
  if (observation && observation->status && IsKnownServerState(observation->status->state)) {
    return observation->status->state;
  }
  return record.status;
}

}  // namespace cdr::reconcile
