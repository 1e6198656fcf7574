// A test double for the agents' control API: one scripted state machine per host that moves one step of
// docs/state-machine.md per status poll (replication_starting → full_sync → realtime, *_stopping → *_stopped,
// repair_starting → repairing → realtime), records the commands it gets, and can be made unreachable, stalled
// or failing.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/replication_control.h"
#include "reconcile/agent_connector.h"

namespace cdr::reconcile::test_util {

struct FakeAgent {
  std::string state = "initialized";
  agent::ReplicationTarget target;
  bool reachable = true;
  bool stalled = false;             // never moves by itself (a sync that takes forever)
  int polls_per_state = 1;          // status polls spent in each passing state
  std::string fail_full_sync_with;  // full_sync ends in replication_error with this error
  std::optional<Status> refuse_next_command;
  double lag_seconds = 0.25;
  bool fenced = false;
  agent::AgentSettings settings;      // what the agent reports in effect (a start takes the target's)
  bool reports_settings = true;       // false: an agent too old to report them
  std::vector<std::string> commands;  // "Start 127.0.0.1:20001", "Stop", "Repair", "Restart", "Fence", "Unfence"
  int polls = 0;
  int polls_in_state = 0;
};

class FakeAgentFleet {
 public:
  FakeAgent& operator[](const std::string& host) { return agents_[host]; }
  bool Has(const std::string& host) const { return agents_.count(host) > 0; }
  AgentConnector Connector();

 private:
  std::map<std::string, FakeAgent> agents_;
};

class FakeControl : public agent::ReplicationControl {
 public:
  // `version`: the release the provider says runs, which the agent reports.
  FakeControl(FakeAgent* agent, std::string host, std::string version = "")
      : a_(agent), host_(std::move(host)), version_(std::move(version)) {}

  Result<agent::AgentStatus> GetStatus() override {
    if (!a_->reachable) return Unavailable("agent of " + host_ + " does not answer");
    ++a_->polls;
    agent::AgentStatus s = Snapshot();
    if (!a_->stalled && ++a_->polls_in_state >= a_->polls_per_state) Advance();
    return s;
  }
  Status Start(const agent::ReplicationTarget& target) override {
    CDR_RETURN_IF_ERROR(Command("Start " + target.shadow_address));
    const std::string& st = a_->state;
    if (st == "replication_starting" || st == "full_sync" || st == "realtime") {
      if (a_->target.shadow_address == target.shadow_address) return Status::Ok();
      // As the real agent (agent/replication_manager.cc): one target at a time.
      return FailedPrecondition("replication is " + st + " to " + a_->target.shadow_address +
                                ": stop it before starting with another target");
    }
    if (st == "replication_error") {  // as the real agent: repair towards the (maybe new) target
      a_->target = target;
      Move("repair_starting");
      return Status::Ok();
    }
    if (st != "initialized" && st != "full_sync_stopped" && st != "realtime_stopped") {
      return FailedPrecondition("cannot start while " + st);
    }
    a_->target = target;
    a_->settings.sync_mode = target.sync_mode;
    a_->settings.rate_bytes_per_second = target.rate_bytes_per_second;
    a_->settings.outage_window_seconds = target.outage_window_seconds;
    Move(target.compare_first ? "repair_starting" : "replication_starting");
    return Status::Ok();
  }
  Status Stop() override {
    CDR_RETURN_IF_ERROR(Command("Stop"));
    const std::string& st = a_->state;
    if (st == "replication_starting" || st == "full_sync") Move("full_sync_stopping");
    if (st == "realtime") Move("realtime_stopping");
    if (st == "repair_starting" || st == "repairing") Move("replication_error");
    return Status::Ok();
  }
  Status Restart() override {
    CDR_RETURN_IF_ERROR(Command("Restart"));
    Move("replication_starting");
    return Status::Ok();
  }
  Status Repair() override {
    CDR_RETURN_IF_ERROR(Command("Repair"));
    if (a_->state != "replication_error") return FailedPrecondition("cannot repair while " + a_->state);
    Move("repair_starting");
    return Status::Ok();
  }
  Status Fence() override {
    CDR_RETURN_IF_ERROR(Command("Fence"));
    a_->fenced = true;
    return Status::Ok();
  }
  Status Unfence() override {
    CDR_RETURN_IF_ERROR(Command("Unfence"));
    a_->fenced = false;
    return Status::Ok();
  }
  Status Verify(const agent::VerifyRequest& request) override {
    return Command("Verify " + std::to_string(request.bytes));
  }
  Status SetSettings(const agent::SettingsUpdate& u) override {
    CDR_RETURN_IF_ERROR(Command("SetSettings"));
    if (u.sync_mode) a_->settings.sync_mode = *u.sync_mode;
    if (u.rate_bytes_per_second) a_->settings.rate_bytes_per_second = *u.rate_bytes_per_second;
    if (u.outage_window_seconds) a_->settings.outage_window_seconds = *u.outage_window_seconds;
    if (u.journal_max_bytes) a_->settings.journal_max_bytes = *u.journal_max_bytes;
    return Status::Ok();
  }

 private:
  Status Command(const std::string& what) {
    if (!a_->reachable) return Unavailable("agent of " + host_ + " does not answer");
    a_->commands.push_back(what);
    if (a_->refuse_next_command) {
      Status s = *a_->refuse_next_command;
      a_->refuse_next_command.reset();
      return s;
    }
    return Status::Ok();
  }
  void Move(const std::string& to) {
    a_->state = to;
    a_->polls_in_state = 0;
  }
  void Advance() {
    const std::string& st = a_->state;
    if (st == "replication_starting") return Move("full_sync");
    if (st == "full_sync") return Move(a_->fail_full_sync_with.empty() ? "realtime" : "replication_error");
    if (st == "full_sync_stopping") return Move("full_sync_stopped");
    if (st == "realtime_stopping") return Move("realtime_stopped");
    if (st == "repair_starting") return Move("repairing");
    if (st == "repairing") return Move("realtime");
  }
  agent::AgentStatus Snapshot() const {
    agent::AgentStatus s;
    s.server_id = a_->target.server_id;
    s.state = a_->state;
    s.nbd_address = "agent-nbd:" + host_;
    s.shadow_address = a_->target.shadow_address;
    s.auto_restart = a_->target.auto_restart;
    s.fenced = a_->fenced;
    s.version = version_;
    if (a_->reports_settings) s.settings = a_->settings;
    agent::DiskReplicationStatus d;
    d.disk = "vda";
    d.state = a_->state;
    d.size_bytes = uint64_t{8} << 30;
    d.progress_percent = a_->state == "realtime" ? 100 : (a_->state == "full_sync" || a_->state == "repairing") ? 50 : 0;
    d.full_sync_bytes_sent = static_cast<uint64_t>(d.size_bytes * d.progress_percent / 100);
    d.link_up = a_->state == "realtime" || a_->state == "full_sync";
    d.lag_seconds = d.link_up ? a_->lag_seconds : 0;
    if (a_->state == "replication_error") d.last_error = a_->fail_full_sync_with.empty() ? "link down" : a_->fail_full_sync_with;
    s.lag_seconds = d.lag_seconds;
    s.disks.push_back(d);
    return s;
  }

  FakeAgent* a_;
  std::string host_;
  std::string version_;
};

inline AgentConnector FakeAgentFleet::Connector() {
  return [this](const providers::Agent& a) -> std::unique_ptr<agent::ReplicationControl> {
    return std::make_unique<FakeControl>(&agents_[a.host_id], a.host_id, a.version);
  };
}

}  // namespace cdr::reconcile::test_util
