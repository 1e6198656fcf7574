// Shared fixture for the reconciler tests: a real state store on a temp file, the recording fake provider,
// specs loaded from TOML text, and short helpers to plan and apply. Suites whose tests persist state derive from
// ReconcileBackendsTest and run on SQLite and on PostgreSQL.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <deque>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "reconcile/apply.h"
#include "reconcile/planner.h"
#include "specs/load_spec.h"
#include "state/state_location.h"
#include "state/state_store.h"
#include "tests/reconcile/fake_agents.h"
#include "tests/reconcile/fake_provider.h"
#include "tests/support/postgres_server.h"
#include "tests/support/test_state.h"

namespace cdr::reconcile::test_util {

// A [[group]] table with the usual zones; `body` is appended (extra keys first, then server tables).
inline std::string GroupToml(const std::string& name, const std::string& body = "",
                             const std::string& vpc = "vpc-web", const std::string& dr_zone = "az2") {
  return "[[group]]\nname = \"" + name + "\"\nproduction_zone = \"az1\"\ndr_zone = \"" + dr_zone +
         "\"\nvpc = \"" + vpc + "\"\n" + body + "\n";
}

// Replication is "stopped" unless `extra` says otherwise: only the replication tests need the agents to move.
inline std::string ServerToml(const std::string& name, const std::string& host,
                              const std::string& extra = "") {
  const std::string replication =
      extra.find("replication =") == std::string::npos ? "replication = \"stopped\"\n" : "";
  return "[[group.server]]\nname = \"" + name + "\"\nhost = \"" + host + "\"\n" + replication + extra;
}

// "create/create group.web": action/operation address, one per change, in plan order.
inline std::vector<std::string> Changes(const Plan& plan) {
  std::vector<std::string> out;
  for (const auto& c : plan.changes)
    out.push_back(std::string(ActionName(c.action)) + "/" + OperationName(c.operation) + " " + c.address);
  return out;
}

inline std::string DiagnosticsText(const std::vector<specs::Diagnostic>& ds) {
  std::string out;
  for (const auto& d : ds) out += "  " + specs::FormatDiagnostic(d) + "\n";
  return out;
}

class ReconcileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "cdr-reconcile-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    std::string location = (dir_ / ".cdr" / "state.db").string();
    if (BackendUnderTest() == state::StateBackend::kPostgres) {
      std::string error;
      database_url_ = cdr::testing::NewPostgresDatabase(&error);
      ASSERT_FALSE(database_url_.empty()) << error;
      location = database_url_;
    }
    auto store = state::StateStore::Open(location);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    for (const char* h : {"host-1", "host-2", "host-3", "host-4"}) fake_.AddHost(h);
  }

  void TearDown() override {
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    if (!database_url_.empty()) cdr::testing::DropPostgresDatabase(database_url_);
  }

  virtual state::StateBackend BackendUnderTest() const { return state::StateBackend::kSqlite; }

  // The spec lives as long as the test (diff keeps pointers into it while it runs).
  const specs::Spec& LoadSpec(const std::string& toml) {
    specs::LoadResult loaded = specs::LoadSpecDocuments({{"test.toml", toml}});
    EXPECT_TRUE(loaded.diagnostics.empty()) << DiagnosticsText(loaded.diagnostics) << toml;
    specs_.push_back(std::move(loaded.spec));
    return specs_.back();
  }

  PlanResult PlanFor(const std::string& toml) {
    auto result = MakePlan(LoadSpec(toml), *store_, fake_, {agents_.Connector()});
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    if (result.ok()) observations_ = result->observations;
    return result.ok() ? std::move(*result) : PlanResult{};
  }

  // The state a plan saw `address` in (its prior state, refreshed); "absent" when it is not there.
  static std::string PriorStatus(const Plan& plan, const std::string& address) {
    for (const auto& r : plan.prior) {
      if (r.address == address) return r.status;
    }
    return "absent";
  }

  // A plan that must have no errors.
  Plan CleanPlanFor(const std::string& toml) {
    PlanResult r = PlanFor(toml);
    EXPECT_TRUE(r.errors.empty()) << DiagnosticsText(r.errors);
    return r.plan;
  }

  ApplyResult ApplyPlan(const Plan& plan) {
    fake_.ClearCalls();
    // As `cdr apply` does: what the plan's refresh observed is written first (a plan itself writes nothing).
    EXPECT_TRUE(RecordObserved(*store_, observations_).ok());
    return Apply(plan, *store_, fake_, Options());
  }

  // Replication waits poll the fake agents without sleeping; progress reports are kept.
  ApplyOptions Options() {
    ApplyOptions o;
    o.connect = agents_.Connector();
    o.poll_interval = std::chrono::milliseconds(0);
    o.wait_timeout = std::chrono::seconds(5);
    o.progress = [this](const ReplicationProgress& p) { progress_.push_back(p); };
    return o;
  }

  // Plans and applies `toml`, expecting every step to succeed; then the provider's call log is cleared.
  void Converge(const std::string& toml) {
    Plan plan = CleanPlanFor(toml);
    ApplyResult result = ApplyPlan(plan);
    for (const auto& s : result.steps) EXPECT_TRUE(s.ok && !s.skipped) << s.address << ": " << s.error;
    fake_.ClearCalls();
  }

  std::vector<std::string> Addresses() {
    std::vector<std::string> out;
    for (const auto& r : store_->Resources()) out.push_back(r.address);
    return out;
  }

  state::ResourceRecord Record(const std::string& address) {
    auto r = store_->Get(address);
    EXPECT_TRUE(r.has_value()) << address << " is not in the state";
    return r.value_or(state::ResourceRecord{});
  }

  void SetStatus(const std::string& address, const std::string& status) {
    state::ResourceRecord r = Record(address);
    r.status = status;
    ASSERT_TRUE(store_->Put(r).ok());
  }

  std::filesystem::path dir_;
  std::string database_url_;  // the test database when the state is on PostgreSQL
  std::unique_ptr<state::StateStore> store_;
  RecordingFakeProvider fake_;
  FakeAgentFleet agents_;
  std::vector<ObservedChange> observations_;  // of the last PlanFor
  std::vector<ReplicationProgress> progress_;
  std::deque<specs::Spec> specs_;
};

// The state-persisting suites, once per backend: INSTANTIATE_TEST_SUITE_P(Backends, Suite, CDR_STATE_BACKENDS).
class ReconcileBackendsTest : public ReconcileTest, public ::testing::WithParamInterface<state::StateBackend> {
 protected:
  state::StateBackend BackendUnderTest() const override { return GetParam(); }
};

// One group `web` with servers web-1 (host-1) and web-2 (host-2).
inline std::string WebSpec(const std::string& group_extra = "", const std::string& server1_extra = "") {
  return GroupToml(
      "web", group_extra + ServerToml("web-1", "host-1", server1_extra) + ServerToml("web-2", "host-2"));
}

}  // namespace cdr::reconcile::test_util
