// The agent release as drift: a server whose running agent (its own word in GET /v1/status, asked by this very
// refresh) is not the release the spec wants — the server's agent_version, or, when it names none, the provider's
// default release (what an install gets). One item per such server, naming both releases and what `cdr apply` does
// about it; the plan shows it among the objects changed outside cdr and `cdr drift` lists it.
//
//   agent answered with R, spec wants W ≠ R ──► agent_version_differs:
//        upgrade_agent planned                      "`cdr apply` replaces it by W (upgrade_agent)"
//        state outside initialized|realtime|realtime_stopped   "… once the server is in one of them (it is S)"
//        otherwise (the plan refuses W)             "… cannot as the spec stands: see the plan's error at ….agent_version"
//   no answer, or R = W ──► nothing (an agent that does not answer is drift of its own)
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "providers/types/agent_version.h"
#include "reconcile/plan.h"
#include "reconcile/refresh.h"
#include "specs/spec.h"
#include "state/state_store.h"

namespace cdr::reconcile {

// The release the spec wants for a server: its agent_version, else the provider's default; "" when neither is known.
std::string WantedAgentVersion(const std::optional<std::string>& spec_version,
                               const std::optional<providers::AgentVersions>& offered);

// Appends an "agent_version_differs" item for every server of `spec` whose agent answered `observed` with another
// release than the wanted one. `records`: the state as refreshed (the servers' states); `changes`: the plan's.
void AddAgentVersionDrift(const specs::Spec& spec, const Observed& observed,
                          const std::vector<state::ResourceRecord>& records, const std::vector<ResourceChange>& changes,
                          std::vector<DriftedResource>* drifted);

}  // namespace cdr::reconcile
