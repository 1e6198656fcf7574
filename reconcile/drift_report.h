// `cdr drift`: everything that differs between the spec, the state and what is observed, per resource, with
// the cause — for people (text, markdown) and for scripts (JSON, docs/drift-format.md). Only real differences
// are items, so "no items" means exit 0 and anything else exit 2.
//   observed drift  deleted, agent_missing, agent_stopped, shadow_host_stopped, replication_target_stale,
//                   settings_changed, host_gone
//                   (the provider or the agent disagrees with the state)
//   health          a server in an error state (replication_error, agent_install_failed, …), rpo_high
//   spec            not_applied (the spec asks for a change apply has not made), plan_error (it cannot be made)
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"
#include "providers/resource_provider.h"
#include "reconcile/agent_connector.h"
#include "reconcile/plan.h"
#include "specs/spec.h"
#include "state/state_store.h"

namespace cdr::reconcile {

inline constexpr int kDriftFormatVersion = 1;

struct DriftReport {
  int64_t checked_at = 0;
  int64_t state_serial = 0;
  std::string spec_source;  // "specs" or "git /repo@main:specs"
  std::string spec_commit;  // the commit the spec came from, when known
  int resources_checked = 0;  // resources in the state with a provider object to compare against
  std::vector<DriftedResource> items;
};

struct DriftSpec {
  const specs::Spec& spec;
  std::string source;
  std::string commit;
};

// Fails only when the provider cannot be asked. With a connector the agents are asked too (their states and RPO
// are written to the state first, as plan does), so replication_error and rpo_high are the live ones.
Result<DriftReport> MakeDriftReport(const DriftSpec& spec, state::StateStore& store,
                                    providers::ResourceProvider& provider,
                                    const AgentConnector& connect = {});

std::string RenderDriftText(const DriftReport& report);
std::string RenderDriftMarkdown(const DriftReport& report);
nlohmann::json DriftToJson(const DriftReport& report);

}  // namespace cdr::reconcile
