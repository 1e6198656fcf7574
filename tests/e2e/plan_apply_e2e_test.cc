// The main flow through the real binary: validate, plan, apply, plan again, saved plans and their staleness.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include <nlohmann/json.hpp>

#include "tests/e2e/cdr_workspace.h"
#include "state/state_store.h"
#include "tests/support/process_test_util.h"

namespace cdr::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class PlanApplyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(ws_.Cdr({"local", "init", "--hosts", "3", "--disk-size-mib", "16"}).exit_code, 0);
    ws_.WriteSpec("web.toml", GroupSpec(2));
  }
  CdrWorkspace ws_;
};

TEST_F(PlanApplyTest, ApplyThenPlanAgainIsANoOp) {
  RunResult plan = ws_.Cdr({"plan", "-detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 2) << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("+ server \"group.web-prod.server.web-1\""));
  EXPECT_THAT(plan.out, HasSubstr("Plan: 5 to add, 0 to change, 0 to destroy, 0 state transitions."));

  RunResult apply = ws_.Cdr({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_THAT(apply.out, HasSubstr("Apply complete! Resources: 5 added"));
  EXPECT_EQ(ws_.CountFiles(ws_.cloud() / "peerings"), 1u);
  EXPECT_EQ(ws_.CountFiles(ws_.cloud() / "endpoints"), 1u);
  EXPECT_EQ(ws_.CountFiles(ws_.cloud() / "agents"), 2u);

  RunResult again = ws_.Cdr({"plan", "-detailed-exitcode"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_THAT(again.out, HasSubstr("No changes."));

  auto status = nlohmann::json::parse(ws_.Cdr({"status", "--json"}).out);
  ASSERT_EQ(status["groups"].size(), 1u);
  EXPECT_EQ(status["groups"][0]["servers"][0]["state"], "initialized");
  EXPECT_EQ(status["groups"][0]["health"]["not_replicating"], 2);

  RunResult jobs = ws_.Cdr({"jobs"});
  EXPECT_THAT(jobs.out, HasSubstr("group.web-prod.server.web-2"));
  EXPECT_THAT(jobs.out, HasSubstr("succeeded"));
}

// `cdr apply` in the workspace with stdin and stdout on a terminal (util-linux `script` makes the pty), where
// `typed` is what the person types.
cdr::testing::RunResult ApplyOnTerminal(const CdrWorkspace& ws, const std::string& typed) {
  return cdr::testing::RunProgram({"sh", "-c", "printf '%s' \"$1\" | script -qec \"cd '$2' && '$3' apply\" /dev/null", "sh", typed,
                     ws.dir().string(), CDR_BINARY});
}

TEST_F(PlanApplyTest, ApplyAsksForConfirmationOnATerminalAndOnlyYesProceeds) {
  auto no = ApplyOnTerminal(ws_, "no\n");
  EXPECT_EQ(no.exit_code, 1) << no.out << no.err;
  EXPECT_THAT(no.out, HasSubstr("Only 'yes' will be accepted"));
  EXPECT_THAT(no.out, HasSubstr("Apply cancelled."));
  EXPECT_EQ(ws_.CountFiles(ws_.cloud() / "peerings"), 0u);
  auto yes = ApplyOnTerminal(ws_, "yes\n");
  EXPECT_EQ(yes.exit_code, 0) << yes.out << yes.err;
  EXPECT_EQ(ws_.CountFiles(ws_.cloud() / "peerings"), 1u);
}

TEST_F(PlanApplyTest, AYesPipedIntoApplyIsNotAnApproval) {
  RunResult piped = ws_.Cdr({"apply"}, "yes\n");
  EXPECT_EQ(piped.exit_code, 1);
  EXPECT_THAT(piped.err, HasSubstr("stdin is not one"));
  EXPECT_THAT(piped.err, HasSubstr("-auto-approve"));
  EXPECT_THAT(piped.out, HasSubstr("Apply cancelled."));
  EXPECT_EQ(ws_.CountFiles(ws_.cloud() / "peerings"), 0u);
}

TEST_F(PlanApplyTest, UnknownCommandIsNamedHelpHasGlobalOptionsAndExamplesVersionIsPrinted) {
  RunResult unknown = ws_.Cdr({"aply"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("unknown command \"aply\""));
  EXPECT_THAT(unknown.err, HasSubstr("apply, drift"));
  RunResult version = ws_.Cdr({"-version"});
  EXPECT_EQ(version.exit_code, 0) << version.err;
  EXPECT_THAT(version.out, HasSubstr("cdr v"));
  RunResult help = ws_.Cdr({"plan", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("Global options (before or after the command):"));
  EXPECT_THAT(help.out, HasSubstr("--git REPO"));
  EXPECT_THAT(help.out, HasSubstr("Examples:\n  cdr plan"));
  auto json = nlohmann::json::parse(ws_.Cdr({"version", "-json"}).out);
  EXPECT_EQ(json["plan_format_version"], "2.0");
  EXPECT_EQ(version.out.substr(0, version.out.find('\n')), "cdr v" + json["cdr_version"].get<std::string>());
}

// -lock-timeout: refused at once by default, refused after the timeout while the holder stays, and carried out
// once the holder lets go within it. The holder here is this test process (alive, so never taken over).
TEST_F(PlanApplyTest, LockTimeoutWaitsForTheHolderOrRefusesAfterIt) {
  ASSERT_EQ(ws_.Cdr({"plan"}).exit_code, 0);  // creates the state
  auto store = state::StateStore::Open(ws_.dir() / ".cdr" / "state.db");
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto held = (*store)->AcquireLock({"apply"});
  ASSERT_TRUE(held.ok()) << held.status().ToString();

  RunResult at_once = ws_.Cdr({"plan"});
  EXPECT_EQ(at_once.exit_code, 1);
  EXPECT_THAT(at_once.err, HasSubstr("state is locked by"));
  const auto start = std::chrono::steady_clock::now();
  RunResult timed_out = ws_.Cdr({"plan", "-lock-timeout=1s"});
  EXPECT_EQ(timed_out.exit_code, 1);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  EXPECT_THAT(timed_out.err, HasSubstr("Acquiring state lock"));
  EXPECT_THAT(timed_out.err, HasSubstr("state is locked by"));

  BackgroundCdr waiting = ws_.StartCdr({"plan", "-lock-timeout=5m"});
  ASSERT_TRUE(cdr::testing::PollUntil(
      [&] { return waiting.StderrSoFar().find("Acquiring state lock") != std::string::npos; },
      std::chrono::seconds(60)));
  ASSERT_TRUE((*store)->ReleaseLock(held->id).ok());
  RunResult waited = waiting.Wait();
  EXPECT_EQ(waited.exit_code, 0) << waited.err;
  EXPECT_THAT(waited.out, HasSubstr("Plan:"));

  RunResult bad = ws_.Cdr({"plan", "-lock-timeout=5 minutes"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("is not a duration"));
}

// cdr show PLANFILE reads a saved plan back as plan printed it; cdr state list/show/rm read and edit the state
// without touching the cloud, rm backs the state up first and makes saved plans stale.
TEST_F(PlanApplyTest, ShowAndStateCommandsReadAndForgetWithoutTouchingTheCloud) {
  RunResult plan = ws_.Cdr({"plan", "-out=saved.plan"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  RunResult show = ws_.Cdr({"show", "saved.plan"});
  EXPECT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr("+ server \"group.web-prod.server.web-1\""));
  EXPECT_THAT(show.out, HasSubstr("Plan: 5 to add, 0 to change, 0 to destroy"));
  EXPECT_THAT(plan.out, HasSubstr(show.out.substr(show.out.find("Plan: 5"))));
  auto shown = nlohmann::json::parse(ws_.Cdr({"show", "-json", "saved.plan"}).out);
  EXPECT_EQ(shown["resource_changes"].size(), 5u);
  ASSERT_EQ(ws_.Cdr({"apply", "saved.plan"}).exit_code, 0);

  RunResult list = ws_.Cdr({"state", "list"});
  EXPECT_EQ(list.exit_code, 0);
  EXPECT_THAT(list.out, HasSubstr("group.web-prod.server.web-2"));
  auto one = nlohmann::json::parse(ws_.Cdr({"state", "show", "group.web-prod.server.web-2"}).out);
  EXPECT_EQ(one["kind"], "server");
  EXPECT_EQ(one["attributes"]["host"], "host-2");
  EXPECT_EQ(ws_.Cdr({"state", "show", "group.nope"}).exit_code, 1);

  ASSERT_EQ(ws_.Cdr({"plan", "-out=before-rm.plan"}).exit_code, 0);
  RunResult dry = ws_.Cdr({"state", "rm", "--dry-run", "group.web-prod.server.web-2"});
  EXPECT_THAT(dry.out, HasSubstr("Would remove group.web-prod.server.web-2"));
  // A server named beside its group is covered twice, removed once, and is no reason to refuse.
  RunResult overlapping = ws_.Cdr({"state", "rm", "--dry-run", "group.web-prod", "group.web-prod.server.web-2"});
  EXPECT_EQ(overlapping.exit_code, 0) << overlapping.err;
  EXPECT_EQ(std::count(overlapping.out.begin(), overlapping.out.end(), '\n'), 5) << overlapping.out;  // group,
  // peering, endpoint, web-1, web-2: each once
  EXPECT_EQ(overlapping.out.find("server.web-2"), overlapping.out.rfind("server.web-2")) << overlapping.out;
  EXPECT_THAT(ws_.Cdr({"state", "list"}).out, HasSubstr("group.web-prod.server.web-2"));
  RunResult missing = ws_.Cdr({"state", "rm", "group.web-prod.server.web-2", "group.nope"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("nothing was removed"));
  EXPECT_THAT(ws_.Cdr({"state", "list"}).out, HasSubstr("group.web-prod.server.web-2"));

  const size_t agents = ws_.CountFiles(ws_.cloud() / "agents");
  RunResult rm = ws_.Cdr({"state", "rm", "group.web-prod.server.web-2"});
  EXPECT_EQ(rm.exit_code, 0) << rm.err;
  EXPECT_THAT(rm.out, HasSubstr("Successfully removed 1 resource(s)"));
  EXPECT_THAT(ws_.Cdr({"state", "list"}).out, Not(HasSubstr("group.web-prod.server.web-2")));
  EXPECT_EQ(ws_.CountFiles(ws_.cloud() / "agents"), agents) << "state rm touched the cloud";
  size_t backups = 0;
  for (const auto& e : std::filesystem::directory_iterator(ws_.dir() / ".cdr"))
    backups += e.path().extension() == ".backup" ? 1 : 0;
  EXPECT_EQ(backups, 1u);
  RunResult stale = ws_.Cdr({"apply", "before-rm.plan"});
  EXPECT_EQ(stale.exit_code, 1);
  EXPECT_THAT(stale.err, HasSubstr("is stale"));
}

TEST_F(PlanApplyTest, TargetNarrowsPlanAndApplyToAServerAndWhatItNeeds) {
  RunResult plan = ws_.Cdr({"plan", "-target=group.web-prod.server.web-1", "-out=web1.plan"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("resource targeting is in effect"));
  EXPECT_THAT(plan.out, HasSubstr("Plan: 4 to add"));
  EXPECT_THAT(plan.out, Not(HasSubstr("web-2")));
  RunResult refused = ws_.Cdr({"apply", "-target=group.web-prod", "web1.plan"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("cannot change a saved plan"));
  ASSERT_EQ(ws_.Cdr({"apply", "web1.plan"}).exit_code, 0);
  EXPECT_THAT(ws_.Cdr({"state", "list"}).out, Not(HasSubstr("web-2")));
  RunResult rest = ws_.Cdr({"plan"});
  EXPECT_THAT(rest.out, HasSubstr("Plan: 1 to add"));
  EXPECT_THAT(rest.out, HasSubstr("group.web-prod.server.web-2"));
  RunResult bad = ws_.Cdr({"plan", "-target=web-2"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("is not a resource address"));
}

TEST_F(PlanApplyTest, SavedPlanAppliesExactlyAndIsRefusedWhenStale) {
  ASSERT_EQ(ws_.Cdr({"plan", "-out=first.plan"}).exit_code, 0);
  auto saved = nlohmann::json::parse(std::ifstream(ws_.dir() / "first.plan"));
  EXPECT_EQ(saved["format_version"], "2.0");
  EXPECT_EQ(saved["resource_changes"].size(), 5u);

  RunResult apply = ws_.Cdr({"apply", "first.plan"});
  ASSERT_EQ(apply.exit_code, 0) << apply.err;
  EXPECT_EQ(ws_.Cdr({"plan", "-detailed-exitcode"}).exit_code, 0);

  // The state moved on since first.plan was made (serial bumped by its own apply).
  RunResult replay = ws_.Cdr({"apply", "first.plan"});
  EXPECT_EQ(replay.exit_code, 1);
  EXPECT_THAT(replay.err, HasSubstr("is stale: the state changed since the plan was made (serial 0 → 1)"));

  // The spec changed after the plan was made.
  ASSERT_EQ(ws_.Cdr({"plan", "-out", "second.plan"}).exit_code, 0);
  ws_.WriteSpec("web.toml", GroupSpec(3));
  RunResult stale = ws_.Cdr({"apply", "second.plan"});
  EXPECT_EQ(stale.exit_code, 1);
  EXPECT_THAT(stale.err, HasSubstr("is stale: the spec changed since the plan was made"));
  EXPECT_EQ(ws_.CountFiles(ws_.cloud() / "agents"), 2u);  // nothing of the stale plan was applied
}

TEST_F(PlanApplyTest, UpdateDeregisterAndGroupDeleteRules) {
  ASSERT_EQ(ws_.Cdr({"apply", "--auto-approve"}).exit_code, 0);

  ws_.WriteSpec("web.toml", GroupSpec(1, 60));
  RunResult plan = ws_.Cdr({"plan"});
  EXPECT_THAT(plan.out, HasSubstr("~ rpo_alert_seconds = 30 -> 60"));
  EXPECT_THAT(plan.out, HasSubstr("group.web-prod.server.web-2 will be deregistered (the host stays)"));
  ASSERT_EQ(ws_.Cdr({"apply", "--auto-approve"}).exit_code, 0);
  EXPECT_EQ(ws_.CountFiles(ws_.cloud() / "agents"), 1u);

  // Removing the whole group while it still protects web-1 is refused, with the reason.
  ws_.WriteSpec("web.toml", "[provider]\ntype = \"local\"\nroot = \".cdr/cloud\"\n");
  RunResult refused = ws_.Cdr({"plan", "-detailed-exitcode"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("cannot delete protection group web-prod: it still has 1 protected server(s) "
                                     "(web-1: initialized); deregister them first"));

  ws_.WriteSpec("web.toml", GroupSpec(0, 60));
  ASSERT_EQ(ws_.Cdr({"apply", "--auto-approve"}).exit_code, 0);
  ws_.WriteSpec("web.toml", "[provider]\ntype = \"local\"\nroot = \".cdr/cloud\"\n");
  RunResult removed = ws_.Cdr({"apply", "--auto-approve"});
  ASSERT_EQ(removed.exit_code, 0) << removed.err;
  EXPECT_THAT(removed.out, HasSubstr("3 destroyed"));
  EXPECT_EQ(ws_.CountFiles(ws_.cloud() / "peerings"), 0u);
  EXPECT_EQ(ws_.CountFiles(ws_.cloud() / "endpoints"), 0u);
}

TEST_F(PlanApplyTest, HostRulesAreCheckedAtPlanTimeWithPositions) {
  ASSERT_EQ(ws_.Cdr({"local", "add-host", "tiny", "--flavor", "c1m2", "--disk-size-mib", "16"}).exit_code, 0);
  ASSERT_EQ(ws_.Cdr({"local", "add-host", "other", "--vpc", "vpc-other", "--disk-size-mib", "16"}).exit_code, 0);
  ws_.WriteSpec("web.toml", GroupSpec(1) + "\n[[group.server]]\nname = \"tiny\"\nhost = \"tiny\"\n" +
                                "\n[[group.server]]\nname = \"other\"\nhost = \"other\"\n");
  RunResult plan = ws_.Cdr({"plan", "-detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 1);
  EXPECT_THAT(plan.err, HasSubstr("specs/web.toml:19:8: group.web-prod.server.tiny.host: host `tiny` (c1m2) has 1 "
                                  "vCPU and 2048 MiB memory; a protected server needs at least 2 vCPU and 4 GiB"));
  EXPECT_THAT(plan.err, HasSubstr("specs/web.toml:23:8: group.web-prod.server.other.host: host `other` is in VPC "
                                  "vpc-other but group web-prod protects VPC vpc-prod"));
}

}  // namespace
}  // namespace cdr::e2e
