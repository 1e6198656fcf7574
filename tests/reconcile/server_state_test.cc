// The server state machine's classifications (docs/state-machine.md) and resource addresses.
#include "reconcile/server_state.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "reconcile/action.h"
#include "reconcile/address.h"

namespace cdr::reconcile {
namespace {

// Every step in flight named in docs/state-machine.md whose name ends in "ing".
const std::vector<std::string> kInFlightIng = {
    "agent_installing",
    "replication_starting",
    "full_sync_stopping",
    "realtime_stopping",
    "repair_starting",
    "repairing",
    "agent_upgrading",
    "reverse_registering",
    "reverse_starting",
    "reverse_full_sync_stopping",
    "reverse_realtime_stopping",
    "reverse_repair_starting",
    "reverse_repairing",
    "registering",
    "deregistering",
};
// Steps in flight whose names do not end in "ing" (故障切换中, 故障恢复中).
const std::vector<std::string> kInFlightOther = {"failing_over", "failing_back"};

const std::vector<std::string> kStable = {
    "initialized",
    "full_sync",
    "realtime",
    "full_sync_stopped",
    "realtime_stopped",
    "failed_over",
    "failover_confirmed",
    "reverse_initialized",
    "reverse_full_sync",
    "reverse_realtime",
    "reverse_full_sync_stopped",
    "reverse_realtime_stopped",
    "failed_back",
};

const std::vector<std::string> kErrors = {"agent_install_failed", "replication_error",
                                          "reverse_replication_error", "failback_error",
                                          "agent_upgrade_failed"};

TEST(ServerStateTest, EveryDesignStateIsKnownAndHasItsOriginalName) {
  for (const auto* list : {&kInFlightIng, &kInFlightOther, &kStable, &kErrors}) {
    for (const auto& s : *list) {
      EXPECT_TRUE(IsKnownServerState(s)) << s;
      EXPECT_FALSE(OriginalStateName(s).empty()) << s;
    }
  }
  EXPECT_EQ(kInFlightIng.size() + kInFlightOther.size() + kStable.size() + kErrors.size(), 35u);
  EXPECT_EQ(OriginalStateName("realtime"), "实时复制中");
  EXPECT_EQ(OriginalStateName("agent_install_failed"), "客户端安装失败");
  EXPECT_FALSE(IsKnownServerState("running"));
  EXPECT_EQ(OriginalStateName("running"), "");
}

TEST(ServerStateTest, DeregisterIsRefusedWhileAStepIsInFlight) {
  for (const auto& s : kInFlightIng) {
    EXPECT_TRUE(IsIntermediateState(s)) << s;
    EXPECT_FALSE(CanDeregister(s)) << s;
  }
}

// failing_over (故障切换中) and failing_back (故障恢复中) are steps in flight though not named "…ing".
TEST(ServerStateTest, FailoverAndFailbackInFlightAreIntermediate) {
  for (const auto& s : kInFlightOther) {
    EXPECT_TRUE(IsIntermediateState(s)) << s;
    EXPECT_FALSE(CanDeregister(s)) << s;
  }
}

TEST(ServerStateTest, DeregisterIsAllowedFromStableAndErrorStates) {
  for (const auto* list : {&kStable, &kErrors}) {
    for (const auto& s : *list) {
      EXPECT_FALSE(IsIntermediateState(s)) << s;
      EXPECT_TRUE(CanDeregister(s)) << s;
    }
  }
  EXPECT_TRUE(CanDeregister("initialized"));
  EXPECT_TRUE(CanDeregister("realtime"));
  EXPECT_TRUE(CanDeregister("replication_error"));
  EXPECT_FALSE(CanDeregister("no_such_state"));
  EXPECT_FALSE(CanDeregister(""));
}

TEST(ServerStateTest, ErrorStates) {
  for (const auto& s : kErrors) EXPECT_TRUE(IsErrorState(s)) << s;
  for (const auto& s : kStable) EXPECT_FALSE(IsErrorState(s)) << s;
  for (const auto& s : kInFlightIng) EXPECT_FALSE(IsErrorState(s)) << s;
  for (const auto& s : kInFlightOther) EXPECT_FALSE(IsErrorState(s)) << s;
}

TEST(ServerStateTest, ClassifyHealth) {
  EXPECT_EQ(ClassifyHealth("replication_error", 1, 30), Health::kError);
  EXPECT_EQ(ClassifyHealth("agent_install_failed", -1, 30), Health::kError);
  EXPECT_EQ(ClassifyHealth("failback_error", -1, 30), Health::kError);
  EXPECT_EQ(ClassifyHealth("realtime", 5, 30), Health::kHealthy);
  EXPECT_EQ(ClassifyHealth("realtime", 30, 30), Health::kHealthy);  // at the threshold is not above it
  EXPECT_EQ(ClassifyHealth("realtime", 30.5, 30), Health::kRpoHigh);
  EXPECT_EQ(ClassifyHealth("realtime", -1, 30), Health::kHealthy);  // unknown lag raises no alert
  EXPECT_EQ(ClassifyHealth("reverse_realtime", 100, 30), Health::kRpoHigh);
  EXPECT_EQ(ClassifyHealth("reverse_realtime", 1, 30), Health::kHealthy);
  for (const char* s :
       {"initialized", "full_sync", "realtime_stopped", "replication_starting", "failed_over"}) {
    EXPECT_EQ(ClassifyHealth(s, 999, 30), Health::kNotReplicating) << s;
  }
  EXPECT_STREQ(HealthName(Health::kError), "error");
  EXPECT_STREQ(HealthName(Health::kHealthy), "healthy");
  EXPECT_STREQ(HealthName(Health::kNotReplicating), "not_replicating");
  EXPECT_STREQ(HealthName(Health::kRpoHigh), "rpo_high");
}

TEST(ActionTest, NamesSymbolsAndParsing) {
  for (Action a : {Action::kNoOp, Action::kCreate, Action::kUpdate, Action::kDelete, Action::kReplace,
                   Action::kTransition}) {
    EXPECT_EQ(ParseAction(ActionName(a)), a) << ActionName(a);
  }
  EXPECT_STREQ(ActionName(Action::kReplace), "replace");
  EXPECT_STREQ(ActionSymbol(Action::kReplace), "-/+");
  EXPECT_STREQ(ActionSymbol(Action::kTransition), ">");
  EXPECT_STREQ(ActionSymbol(Action::kUpdate), "~");
  EXPECT_EQ(ParseAction("destroy"), std::nullopt);
}

TEST(AddressTest, BuildAndTakeApart) {
  EXPECT_EQ(GroupAddress("web"), "group.web");
  EXPECT_EQ(PeeringAddress("web"), "group.web.peering");
  EXPECT_EQ(EndpointAddress("web"), "group.web.endpoint");
  EXPECT_EQ(ServerAddress("web", "a-1"), "group.web.server.a-1");
  EXPECT_EQ(GroupOf("group.web.server.a-1"), "web");
  EXPECT_EQ(GroupOf("group.web-prod"), "web-prod");
  EXPECT_EQ(GroupOf("server.x"), "");
  EXPECT_EQ(LeafName("group.web.server.a-1"), "a-1");
  EXPECT_EQ(LeafName("group.web"), "web");
  EXPECT_EQ(LeafName("group.web.peering"), "peering");
}

}  // namespace
}  // namespace cdr::reconcile
