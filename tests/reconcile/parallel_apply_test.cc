// Apply with -parallelism > 1 against the recording fake: servers of different groups register at the same
// time, the state and the provider end up as with one step at a time, and a failing server stops only itself.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "tests/reconcile/reconcile_fixture.h"

namespace cdr::reconcile {
namespace {

using test_util::GroupToml;
using test_util::ServerToml;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

// The fake is not thread-safe: the creates apply makes go through one mutex here. Installing an agent first
// waits (outside the mutex, at most 10 s) until a second one is in flight, so the test sees two registrations
// at once.
class ConcurrentFake : public test_util::RecordingFakeProvider {
 public:
  Result<providers::Json> Create(const std::string& type, const std::string& token,
                                 const providers::Json& config) override {
    const bool agent = type == providers::TypeName(providers::ResourceType::kAgent);
    if (agent) {
      std::unique_lock<std::mutex> lock(gate_mu_);
      ++in_flight_;
      max_in_flight_ = std::max(max_in_flight_, in_flight_);
      gate_.notify_all();
      gate_.wait_for(lock, std::chrono::seconds(10), [this] { return max_in_flight_ >= 2; });
    }
    Result<providers::Json> out = [&] {
      std::lock_guard<std::mutex> lock(mu_);
      return RecordingFakeProvider::Create(type, token, config);
    }();
    if (agent) {
      std::lock_guard<std::mutex> lock(gate_mu_);
      --in_flight_;
    }
    return out;
  }
  int max_in_flight() {
    std::lock_guard<std::mutex> lock(gate_mu_);
    return max_in_flight_;
  }

 private:
  std::mutex mu_;
  std::mutex gate_mu_;
  std::condition_variable gate_;
  int in_flight_ = 0;
  int max_in_flight_ = 0;
};

class ParallelApplyTest : public test_util::ReconcileTest {
 protected:
  ApplyResult ApplyInParallel(const Plan& plan, providers::ResourceProvider& provider) {
    ApplyOptions o = Options();
    o.parallelism = 4;
    std::mutex mu;
    o.report = [&](const std::string& line) {
      std::lock_guard<std::mutex> lock(mu);
      lines_.push_back(line);
    };
    return Apply(plan, *store_, provider, o);
  }
  std::vector<std::string> lines_;
};

const std::string kTwoGroups =
    GroupToml("web", ServerToml("web-1", "host-1") + ServerToml("web-2", "host-2")) +
    GroupToml("db", ServerToml("db-1", "host-3") + ServerToml("db-2", "host-4"));

TEST_F(ParallelApplyTest, ServersRegisterAtOnceAndTheStateIsAsWithOneStep) {
  ConcurrentFake fake;
  for (const char* h : {"host-1", "host-2", "host-3", "host-4"}) fake.AddHost(h);
  const Plan plan = CleanPlanFor(kTwoGroups);
  ApplyResult result = ApplyInParallel(plan, fake);
  ASSERT_EQ(result.steps.size(), plan.changes.size());
  for (size_t i = 0; i < result.steps.size(); ++i) {
    EXPECT_EQ(result.steps[i].address, plan.changes[i].address);  // in the plan's order
    EXPECT_TRUE(result.steps[i].ok) << result.steps[i].address << ": " << result.steps[i].error;
  }
  EXPECT_GE(fake.max_in_flight(), 2);
  for (const char* s :
       {"group.web.server.web-1", "group.web.server.web-2", "group.db.server.db-1", "group.db.server.db-2"}) {
    EXPECT_EQ(Record(s).status, "initialized") << s;
  }
  EXPECT_EQ(fake.peerings().size(), 2u);
  EXPECT_EQ(fake.agents().size(), 4u);
  for (const auto& job : store_->Jobs()) EXPECT_EQ(job.status, state::JobStatus::kSucceeded) << job.address;
}

TEST_F(ParallelApplyTest, AFailingServerStopsOnlyItself) {
  ConcurrentFake fake;
  for (const char* h : {"host-1", "host-2", "host-3", "host-4"}) fake.AddHost(h);
  fake.FailOn("create agent", FailedPrecondition("host host-2 is stopped"), "host-2");
  fake.FailOn("create endpoint", Unavailable("endpoint quota"), "cdr-db");
  const Plan plan = CleanPlanFor(kTwoGroups);
  ApplyResult result = ApplyInParallel(plan, fake);
  std::vector<std::string> failed;
  for (const auto& s : result.steps) {
    if (!s.ok || s.skipped) failed.push_back(s.address + (s.skipped ? " skipped" : " failed"));
  }
  // db's endpoint failed, so db's servers never ran; web-2 failed alone, web-1 registered.
  EXPECT_THAT(failed, UnorderedElementsAre("group.web.server.web-2 failed", "group.db.endpoint failed",
                                           "group.db.server.db-1 skipped", "group.db.server.db-2 skipped"));
  EXPECT_EQ(Record("group.web.server.web-1").status, "initialized");
  EXPECT_EQ(Record("group.web.server.web-2").status, "agent_install_failed");
  EXPECT_FALSE(store_->Get("group.db.server.db-1").has_value());
  bool reported = false;
  for (const auto& l : lines_)
    reported = reported || l.find("skipped: an earlier step of group db") != l.npos;
  EXPECT_TRUE(reported) << ::testing::PrintToString(lines_);
}

}  // namespace
}  // namespace cdr::reconcile
