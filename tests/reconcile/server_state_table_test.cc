// The server state table (server_state.h) against the rules its names were written by, and the small name
// tables of reconcile/ (drift problems, verification results).
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "reconcile/drift_problem.h"
#include "reconcile/reverse_states.h"
#include "reconcile/server_state.h"
#include "reconcile/verification_result.h"

namespace cdr::reconcile {
namespace {

constexpr ServerState kFirst = ServerState::kAgentInstalling;
constexpr ServerState kLast = ServerState::kDeregistering;

std::vector<ServerState> AllStates() {
  std::vector<ServerState> all;
  for (int i = static_cast<int>(kFirst); i <= static_cast<int>(kLast); ++i)
    all.push_back(static_cast<ServerState>(i));
  return all;
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

TEST(ServerStateTable, EveryStateHasOneNameThatParsesBack) {
  std::set<std::string> names;
  for (ServerState s : AllStates()) {
    const std::string name = ServerStateName(s);
    EXPECT_NE(name, "unknown");
    EXPECT_TRUE(names.insert(name).second) << name << " twice";
    EXPECT_EQ(ParseServerState(name), s) << name;
    EXPECT_FALSE(OriginalStateName(name).empty()) << name;
  }
  EXPECT_EQ(names.size(), 35u);
}

TEST(ServerStateTable, AnUnknownNameIsInNoCategory) {
  for (const char* name : {"running", "", "REALTIME", "realtime ", "reverse_", "later_ing", "x_stopped"}) {
    EXPECT_EQ(ParseServerState(name), std::nullopt) << name;
    EXPECT_FALSE(IsKnownServerState(name)) << name;
    EXPECT_FALSE(IsIntermediateState(name)) << name;
    EXPECT_FALSE(IsStoppedState(name)) << name;
    EXPECT_FALSE(IsReplicatingState(name)) << name;
    EXPECT_FALSE(IsRealtimeState(name)) << name;
    EXPECT_FALSE(IsErrorState(name)) << name;
    EXPECT_FALSE(OwnedByCdr(name)) << name;
    EXPECT_FALSE(IsInterruptedCdrStep(name)) << name;
    EXPECT_FALSE(CanDeregister(name)) << name;
    EXPECT_FALSE(IsOneOf(ParseServerState(name), {ServerState::kRealtime, ServerState::kInitialized}))
        << name;
    EXPECT_EQ(ReverseState(name), "") << name;
    EXPECT_EQ(ForwardState(name), "") << name;
  }
}

// The table replaced rules on the names; it must still agree with them for every state.
TEST(ServerStateTable, TraitsAgreeWithTheNamingRules) {
  for (ServerState s : AllStates()) {
    const std::string name = ServerStateName(s);
    const bool in_flight = EndsWith(name, "ing") || name == "failing_over" || name == "failing_back";
    EXPECT_EQ(IsIntermediateState(s), in_flight) << name;
    EXPECT_EQ(IsIntermediateState(name), in_flight) << name;
    EXPECT_EQ(IsStoppedState(s), EndsWith(name, "_stopped")) << name;
    EXPECT_EQ(IsRealtimeState(name), name == "realtime" || name == "reverse_realtime") << name;
    EXPECT_EQ(IsErrorState(s), EndsWith(name, "_error") || EndsWith(name, "_failed")) << name;
    EXPECT_EQ(IsAgentUpgradeState(s), name.rfind("agent_upgrad", 0) == 0) << name;
    if (IsInterruptedCdrStep(s)) EXPECT_TRUE(OwnedByCdr(s)) << name;
  }
}

TEST(ServerStateTable, OwnedByCdrAreTheStatesTheAgentKnowsNothingOf) {
  const std::set<std::string> owned = {"agent_installing",     "agent_install_failed", "agent_upgrading",
                                       "agent_upgrade_failed", "failing_over",         "failed_over",
                                       "failover_confirmed",   "reverse_registering",  "failing_back",
                                       "failed_back",          "failback_error",       "registering",
                                       "deregistering"};
  for (ServerState s : AllStates())
    EXPECT_EQ(OwnedByCdr(s), owned.count(ServerStateName(s)) > 0) << ServerStateName(s);
}

TEST(ServerStateTable, ReplicatingStatesAreTheAgentsSendingOnes) {
  const std::set<std::string> sending = {
      "replication_starting", "full_sync",        "realtime",
      "repair_starting",      "repairing",        "reverse_starting",
      "reverse_full_sync",    "reverse_realtime", "reverse_repair_starting",
      "reverse_repairing"};
  for (ServerState s : AllStates()) {
    EXPECT_EQ(IsReplicatingState(s), sending.count(ServerStateName(s)) > 0) << ServerStateName(s);
  }
}

TEST(ServerStateTable, ReverseCounterpartsGoBothWays) {
  int reverse = 0;
  for (ServerState s : AllStates()) {
    const std::string name = ServerStateName(s);
    const std::optional<ServerState> forward = ForwardOf(s);
    if (!forward) continue;
    ++reverse;
    EXPECT_EQ(name.rfind("reverse_", 0), 0u) << name;
    EXPECT_FALSE(ForwardOf(*forward)) << name;
    EXPECT_EQ(ReverseOf(*forward), s) << name;
    EXPECT_EQ(ForwardState(name), ServerStateName(*forward));
    EXPECT_EQ(ReverseState(ServerStateName(*forward)), name);
  }
  EXPECT_EQ(reverse, 11);
  EXPECT_EQ(ReverseState("replication_starting"), "reverse_starting");
  EXPECT_EQ(ReverseOf(ServerState::kFailingOver), std::nullopt);
  EXPECT_EQ(ReverseState("reverse_realtime"), "");
  EXPECT_FALSE(IsReverseAgentState("reverse_registering"));  // the reverse agent is not installed yet
  EXPECT_TRUE(IsReverseAgentState("reverse_initialized"));
}

TEST(ServerStateTable, UnobservedHealthKeepsOnlyWhatIsCertain) {
  EXPECT_EQ(ClassifyUnobserved("replication_error"), Health::kError);
  EXPECT_EQ(ClassifyUnobserved("initialized"), Health::kNotReplicating);
  EXPECT_EQ(ClassifyUnobserved("realtime"), Health::kUnknown);
  EXPECT_EQ(ClassifyUnobserved("full_sync"), Health::kUnknown);
  EXPECT_EQ(ClassifyUnobserved("reverse_full_sync"), Health::kUnknown);
}

TEST(DriftProblemTest, NamesParseBackAndOtherCodesDoNot) {
  for (const auto& row : kDriftProblemNames)
    EXPECT_EQ(ParseDriftProblem(DriftProblemName(row.value)), row.value);
  EXPECT_STREQ(DriftProblemName(DriftProblem::kReplicationTargetStale), "replication_target_stale");
  EXPECT_EQ(ParseDriftProblem("drill_verification_failed"), std::nullopt);
  EXPECT_EQ(ParseDriftProblem(""), std::nullopt);
}

TEST(VerificationResultTest, NamesParseBack) {
  for (const auto& row : kVerificationResultNames) {
    EXPECT_EQ(ParseVerificationResult(VerificationResultName(row.value)), row.value);
  }
  EXPECT_STREQ(VerificationResultName(VerificationResult::kInterrupted), "interrupted");
  EXPECT_EQ(ParseVerificationResult("ok"), std::nullopt);
}

}  // namespace
}  // namespace cdr::reconcile
