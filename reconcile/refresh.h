// Refresh: ask the provider what really exists for every resource in the state, and gather the facts of
// every host the spec or the state names. Differences become DriftedResources in the plan.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "providers/provider.h"
#include "reconcile/plan.h"
#include "state/state_store.h"

namespace cdr::reconcile {

struct Observed {
  std::map<std::string, DriftedResource> drift;          // by address; only resources that differ
  std::map<std::string, providers::HostFacts> hosts;     // by host id; hosts that exist
};

// Fails (kUnavailable, …) only when the provider cannot answer; a resource that is gone is drift, not failure.
Result<Observed> Refresh(providers::Provider& provider, const std::vector<state::ResourceRecord>& records,
                         const std::vector<std::string>& spec_hosts);

}  // namespace cdr::reconcile
