// A test double of ReplicationControl for the control API tests: the unit under test is the HTTP layer, so
// the control only records what reached it and answers what a test told it to.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "agent/replication_control.h"

namespace cdr::agent::api::testing {

class FakeReplicationControl : public ReplicationControl {
 public:
  FakeReplicationControl() : status_(SampleStatus()) {}

  // Two disks in different states with every field set, so a lost field shows up in a comparison.
  static AgentStatus SampleStatus() {
    AgentStatus s;
    s.server_id = "web-1";
    s.group = "web";
    s.server_name = "frontend";
    s.state = "full_sync";
    s.nbd_address = "127.0.0.1:10809";
    s.shadow_address = "127.0.0.1:7000";
    s.sync_mode = true;
    s.auto_restart = false;
    s.lag_seconds = 2.5;
    s.settings = AgentSettings{true, 8ull << 20, 120, 2ull << 30};
    DiskReplicationStatus vda{"vda", "realtime", 1ull << 30, 100,  123456789, 1ull << 30, 4096,
                              77,    75,         8192,       0.25, true,      ""};
    DiskReplicationStatus vdb{"vdb",
                              "full_sync",
                              1ull << 34,
                              42.5,
                              987654,
                              555555,
                              0,
                              12,
                              0,
                              1 << 20,
                              2.5,
                              false,
                              "link down: connection refused"};
    s.disks = {vda, vdb};
    return s;
  }

  Result<AgentStatus> GetStatus() override {
    std::lock_guard lock(mu_);
    if (!status_error_.ok()) return status_error_;
    return status_;
  }
  Status Start(const ReplicationTarget& target) override {
    return Run("start", [&] {
      targets_.push_back(target);
      status_.server_id = target.server_id;
      status_.shadow_address = target.shadow_address;
      status_.state = "replication_starting";
    });
  }
  Status Stop() override {
    return Run("stop", [&] { status_.state = "full_sync_stopped"; });
  }
  Status Restart() override {
    return Run("restart", [&] { status_.state = "replication_starting"; });
  }
  Status Repair() override {
    return Run("repair", [&] { status_.state = "repair_starting"; });
  }
  Status Fence() override {
    return Run("fence", [&] { status_.fenced = true; });
  }
  Status Unfence() override {
    return Run("unfence", [&] { status_.fenced = false; });
  }
  Status Verify(const VerifyRequest& request) override {
    return Run("verify", [&] { verify_bytes_ = request.bytes; });
  }

  Status SetSettings(const SettingsUpdate& update) override {
    return Run("settings", [&] { settings_updates_.push_back(update); });
  }

  void SetResult(const std::string& command, Status result) {
    std::lock_guard lock(mu_);
    results_[command] = std::move(result);
  }
  void SetStatus(AgentStatus status) {
    std::lock_guard lock(mu_);
    status_ = std::move(status);
  }
  void SetStatusError(Status error) {
    std::lock_guard lock(mu_);
    status_error_ = std::move(error);
  }
  // Commands block this long before answering, to make a client time out.
  void SetDelay(std::chrono::milliseconds delay) {
    std::lock_guard lock(mu_);
    delay_ = delay;
  }
  std::vector<std::string> calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }
  std::vector<ReplicationTarget> targets() const {
    std::lock_guard lock(mu_);
    return targets_;
  }
  std::vector<SettingsUpdate> settings_updates() const {
    std::lock_guard lock(mu_);
    return settings_updates_;
  }

 private:
  template <typename Effect>
  Status Run(const std::string& command, Effect effect) {
    std::chrono::milliseconds delay;
    {
      std::lock_guard lock(mu_);
      calls_.push_back(command);
      delay = delay_;
    }
    if (delay.count() > 0)
      std::this_thread::sleep_for(delay);  // stands for a slow control, not a wait for state
    std::lock_guard lock(mu_);
    Status result = results_.count(command) ? results_[command] : Status::Ok();
    if (result.ok()) effect();
    return result;
  }

  mutable std::mutex mu_;
  AgentStatus status_;
  uint64_t verify_bytes_ = 0;
  Status status_error_;
  std::map<std::string, Status> results_;
  std::chrono::milliseconds delay_{0};
  std::vector<std::string> calls_;
  std::vector<ReplicationTarget> targets_;
  std::vector<SettingsUpdate> settings_updates_;
};

}  // namespace cdr::agent::api::testing
