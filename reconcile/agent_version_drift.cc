#include "reconcile/agent_version_drift.h"

#include <map>

#include "reconcile/address.h"
#include "reconcile/internal/upgrade_transitions.h"

namespace cdr::reconcile {
namespace {

bool UpgradePlanned(const std::vector<ResourceChange>& changes, const std::string& address) {
  for (const auto& c : changes) {
    if (c.address == address && c.operation == Operation::kUpgradeAgent) return true;
  }
  return false;
}

std::string WhatApplyDoes(const std::string& address, const std::string& state, const std::string& wanted,
                          bool planned) {
  if (planned) return "`cdr apply` replaces it by " + wanted + " (upgrade_agent, resuming from its journal)";
  if (!internal::AllowsAgentUpgrade(ParseServerState(state))) {
    return "`cdr apply` replaces it by " + wanted +
           " once the server is initialized, realtime or realtime_stopped (it is " + state + ")";
  }
  return "`cdr apply` cannot replace it as the spec stands: see the plan's error at " + address + ".agent_version";
}

}  // namespace

std::string WantedAgentVersion(const std::optional<std::string>& spec_version,
                               const std::optional<providers::AgentVersions>& offered) {
  if (spec_version) return *spec_version;
  return offered ? offered->default_version : "";
}

void AddAgentVersionDrift(const specs::Spec& spec, const Observed& observed,
                          const std::vector<state::ResourceRecord>& records, const std::vector<ResourceChange>& changes,
                          std::vector<DriftedResource>* drifted) {
  std::map<std::string, const state::ResourceRecord*> by_address;
  for (const auto& r : records) by_address[r.address] = &r;
  for (const auto& g : spec.groups) {
    for (const auto& s : g.servers) {
      const std::string address = ServerAddress(g.name, s.name);
      auto seen = observed.servers.find(address);
      auto record = by_address.find(address);
      if (seen == observed.servers.end() || record == by_address.end() || !seen->second.status) continue;
      const std::string& running = seen->second.status->version;
      const std::string wanted = WantedAgentVersion(s.agent_version, observed.agent_versions);
      if (running.empty() || wanted.empty() || running == wanted) continue;
      const std::string why = s.agent_version ? "the spec asks for " + wanted + " (agent_version)"
                                              : "the spec names no agent_version, so it asks for the provider's "
                                                "default release " + wanted;
      const std::string state = EffectiveServerState(*record->second, &seen->second);
      drifted->push_back({address, ResourceKind::kServer, "agent_version_differs",
                          "the agent of " + s.host + " runs " + running + "; " + why + ": " +
                              WhatApplyDoes(address, state, wanted, UpgradePlanned(changes, address)),
                          {{"running", running}, {"wanted", wanted}}});
    }
  }
}

}  // namespace cdr::reconcile
