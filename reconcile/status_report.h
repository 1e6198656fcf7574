// The group overview of `cdr status` (CT-CDR's 保护组概览): per group, servers by health; per server, its state.
// Built from the state store alone, so it answers instantly and works while an apply runs.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reconcile/server_state.h"
#include "state/state_store.h"

namespace cdr::reconcile {

struct ServerStatus {
  std::string address;
  std::string name;
  std::string host;
  std::string state;
  std::string replication;  // desired: running | stopped
  Health health = Health::kNotReplicating;
  double rpo_seconds = -1;  // unknown until the data plane reports it
  std::string last_error;
};

struct GroupStatus {
  std::string name;
  std::string production_zone;
  std::string dr_zone;
  std::string vpc;
  int rpo_alert_seconds = 0;
  std::string peering_id;
  std::string endpoint_id;
  int error = 0, healthy = 0, not_replicating = 0, rpo_high = 0;
  std::vector<ServerStatus> servers;
};

std::vector<GroupStatus> BuildStatus(const std::vector<state::ResourceRecord>& records);
std::string RenderStatusText(const std::vector<GroupStatus>& groups);
nlohmann::json StatusToJson(const std::vector<GroupStatus>& groups);

}  // namespace cdr::reconcile
