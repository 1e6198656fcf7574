// Apply: carries out a Plan's changes, up to `parallelism` at a time. A step waits for the earlier steps it
// depends on (apply_order.h: a group's network before its servers, a server's steps in order); steps of
// different servers and different groups run side by side. Every step is a job in the state store; every state
// change is written before the provider call (status "creating", "agent_installing", "deregistering", …) and
// after it, so an apply killed anywhere leaves a state from which the next plan resumes without duplicate
// resources. When a group-level step fails, the later steps of that group are skipped; when a server's step
// fails, that server's later steps are; everything else goes on, and the result names every failure.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "providers/resource_provider.h"
#include "reconcile/agent_connector.h"
#include "reconcile/plan.h"
#include "state/state_store.h"

namespace cdr::reconcile {

// Where a replication transition is while apply waits for it; reported every poll.
struct ReplicationProgress {
  std::string address;
  Operation operation = Operation::kStartReplication;
  std::string state;      // the agent's state
  double progress_percent = 0;
  uint64_t bytes_sent = 0;  // full sync and repair bytes
  uint64_t size_bytes = 0;
  double lag_seconds = -1;  // RPO; -1 while it is not known (a full sync or repair has no RPO yet)
  double elapsed_seconds = 0;
  bool finished = false;  // the last report of this wait
};

struct ApplyOptions {
  std::string lock_id;  // renewed after each step so a long apply keeps its lock
  // How many steps run at once (Terraform's -parallelism; `cdr apply` defaults to 10). 1 runs the plan's
  // order one step at a time. The callbacks below are called from the steps' threads, one call at a time.
  int parallelism = 1;
  int64_t lock_ttl_millis = 10 * 60 * 1000;
  // One human-readable line per step start and end ("group.web: Creating...").
  std::function<void(const std::string&)> report = [](const std::string&) {};
  // How replication steps reach agents. Without one they fail, saying so.
  AgentConnector connect;
  // Replication steps wait for the transition to finish (start and repair: realtime; stop: *_stopped), at most
  // wait_timeout; without waiting they return once the agent accepted the command.
  bool wait = true;
  std::chrono::milliseconds wait_timeout = std::chrono::hours(6);
  std::chrono::milliseconds poll_interval = std::chrono::milliseconds(500);
  std::function<void(const ReplicationProgress&)> progress = [](const ReplicationProgress&) {};
};

struct StepOutcome {
  std::string address;
  Operation operation = Operation::kCreate;
  bool ok = false;
  bool skipped = false;
  std::string error;
  double seconds = 0;
};

struct ApplyResult {
  std::vector<StepOutcome> steps;  // in the plan's order
  int Failed() const;
  int Succeeded() const;
};

ApplyResult Apply(const Plan& plan, state::StateStore& store, providers::ResourceProvider& provider,
                  const ApplyOptions& options);

}  // namespace cdr::reconcile
