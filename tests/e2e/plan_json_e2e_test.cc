// The plan as Terraform users read it, through the real binary: `plan -json` / `show -json` in Terraform's plan
// representation (a policy written for `terraform show -json` runs on it), byte-identical for an unchanged estate;
// plan and drift leave the state's bytes alone; -refresh=false and -refresh-only.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/digest.h"
#include "tests/e2e/cdr_workspace.h"
#include "tests/support/process_test_util.h"

namespace cdr::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Every file of the state's directory (state.db, its -wal and -shm, backups), by name and sha256; the local
// cloud's folder beside them is not the state.
std::string StateDirectoryDigest(const std::filesystem::path& state_dir) {
  std::vector<std::string> lines;
  for (const auto& e : std::filesystem::directory_iterator(state_dir)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    lines.push_back(e.path().filename().string() + " " + Sha256Hex(bytes.str()));
  }
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

class PlanJsonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(ws_.Cdr({"local", "init", "--hosts", "3", "--disk-size-mib", "16"}).exit_code, 0);
  }
  std::string StateDigest() const { return StateDirectoryDigest(ws_.dir() / ".cdr"); }
  CdrWorkspace ws_;
};

// With replication running the agents' answers change every time they are asked (bytes, lag, times): none of it
// is in the plan, and neither plan nor drift records it.
TEST_F(PlanJsonTest, PlanAndDriftWriteNothingAndAnUnchangedEstatePlansTheSameBytes) {
  ws_.WriteSpec("web.toml", GroupSpec(1, 30, "running"));
  RunResult apply = ws_.Cdr({"apply", "-auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;

  const std::string before = StateDigest();
  ASSERT_THAT(before, HasSubstr("state.db "));
  RunResult first = ws_.Cdr({"plan", "-json"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  RunResult second = ws_.Cdr({"plan", "-json"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(first.out, second.out);
  auto plan = nlohmann::json::parse(first.out);
  EXPECT_EQ(plan["resource_changes"].size(), 0u);
  EXPECT_EQ(plan["applyable"], false);
  EXPECT_EQ(plan["prior_state"]["values"]["root_module"]["resources"].size(), 5u);
  EXPECT_THAT(first.out, Not(HasSubstr("observed_at")));
  EXPECT_THAT(first.out, Not(HasSubstr("bytes_sent")));

  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"plan"},
                                             {"plan", "-refresh=false"},
                                             {"plan", "-refresh-only", "-detailed-exitcode"},
                                             {"drift"},
                                             {"drift", "--json"}}) {
    RunResult r = ws_.Cdr(args);
    EXPECT_EQ(r.exit_code, 0) << args[0] << " " << args.back() << ": " << r.out << r.err;
  }
  EXPECT_EQ(StateDigest(), before) << "plan and drift must not write the state";

  // The check can fail: an apply writes what the agents report, although it has nothing else to do.
  ASSERT_EQ(ws_.Cdr({"apply", "-auto-approve"}).exit_code, 0);
  EXPECT_NE(StateDigest(), before);
}

// Before the first apply there is no state: plan and drift read it as empty and do not create the file.
TEST_F(PlanJsonTest, PlanAndDriftBeforeTheFirstApplyCreateNoStateFile) {
  ws_.WriteSpec("web.toml", GroupSpec(1, 30, "running"));
  const std::filesystem::path state = ws_.dir() / ".cdr" / "state.db";
  ASSERT_FALSE(std::filesystem::exists(state));
  RunResult plan = ws_.Cdr({"plan", "-detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 2) << plan.out << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("to add"));
  RunResult drift = ws_.Cdr({"drift"});
  EXPECT_EQ(drift.exit_code, 2) << drift.out << drift.err;  // the group is not applied yet
  EXPECT_THAT(drift.out, HasSubstr("not_applied"));
  EXPECT_THAT(plan.err + drift.err, Not(HasSubstr("warn")));
  EXPECT_FALSE(std::filesystem::exists(state)) << "plan or drift created the state file";
  // The check can fail: apply creates it.
  RunResult apply = ws_.Cdr({"apply", "-auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_TRUE(std::filesystem::exists(state));
}

// A conftest-style policy, written as it would be for `terraform show -json`: only Terraform's keys.
constexpr const char* kPolicy = R"(import json, sys
plan = json.load(open(sys.argv[1]))
deny = [rc["address"] + ": deregistering a protected server needs a reviewed exception"
        for rc in plan["resource_changes"]
        if rc["type"] == "server" and "delete" in rc["change"]["actions"]]
for message in deny:
    print("FAIL - " + message)
print("%d tests, %d passed, 0 warnings, %d failures" % (1, 0 if deny else 1, len(deny)))
sys.exit(1 if deny else 0)
)";

TEST_F(PlanJsonTest, APolicyOnTerraformKeysFailsAPlanThatDeregistersAServer) {
  ws_.WriteSpec("web.toml", GroupSpec(2));
  ASSERT_EQ(ws_.Cdr({"apply", "-auto-approve"}).exit_code, 0);
  std::ofstream(ws_.dir() / "policy.py") << kPolicy;
  auto check = [&](const std::string& plan_file) {
    RunResult shown = ws_.Cdr({"show", "-json", plan_file});
    EXPECT_EQ(shown.exit_code, 0) << shown.err;
    std::ofstream(ws_.dir() / (plan_file + ".json")) << shown.out;
    return cdr::testing::RunProgram(
        {"python3", (ws_.dir() / "policy.py").string(), (ws_.dir() / (plan_file + ".json")).string()});
  };

  ws_.WriteSpec("web.toml", GroupSpec(3));
  ASSERT_EQ(ws_.Cdr({"plan", "-out=grow.plan"}).exit_code, 0);
  auto allowed = check("grow.plan");
  EXPECT_EQ(allowed.exit_code, 0) << allowed.out << allowed.err;
  EXPECT_THAT(allowed.out, HasSubstr("0 failures"));

  ws_.WriteSpec("web.toml", GroupSpec(1));
  ASSERT_EQ(ws_.Cdr({"plan", "-out=shrink.plan"}).exit_code, 0);
  auto denied = check("shrink.plan");
  EXPECT_EQ(denied.exit_code, 1) << denied.out << denied.err;
  EXPECT_THAT(denied.out, HasSubstr("FAIL - group.web-prod.server.web-2: deregistering"));
  EXPECT_THAT(denied.out, Not(HasSubstr("web-1")));

  // `show -json FILE` prints what `plan -json` printed, and the file is what `cdr apply FILE` carries out.
  auto shown = nlohmann::json::parse(ws_.Cdr({"show", "-json", "shrink.plan"}).out);
  EXPECT_EQ(shown, nlohmann::json::parse(ws_.Cdr({"plan", "-json"}).out));
  EXPECT_EQ(shown["resource_changes"][0]["cdr"]["operation"], "deregister");
  RunResult apply = ws_.Cdr({"apply", "shrink.plan"});
  EXPECT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_EQ(ws_.CountFiles(ws_.cloud() / "agents"), 1u);
}

// An older plan file (cdr's own shape, format "1") is refused with what to do; an errored plan is printed for the
// tools that read it, marked errored, and not saved.
TEST_F(PlanJsonTest, OldPlanFilesAreRefusedAndErroredPlansSaySo) {
  ws_.WriteSpec("web.toml", GroupSpec(1));
  std::ofstream(ws_.dir() / "old.plan") << R"({"format_version": "1", "state_serial": 0, "spec_digest": "x",
                                               "changes": []})";
  RunResult old = ws_.Cdr({"apply", "old.plan"});
  EXPECT_EQ(old.exit_code, 1);
  EXPECT_THAT(old.err, HasSubstr("format_version 1 is not supported"));
  EXPECT_THAT(old.err, HasSubstr("run `cdr plan -out FILE` again"));

  ASSERT_EQ(ws_.Cdr({"local", "delete-host", "host-1"}).exit_code, 0);
  RunResult errored = ws_.Cdr({"plan", "-json", "-out=bad.plan"});
  EXPECT_EQ(errored.exit_code, 1);
  auto plan = nlohmann::json::parse(errored.out);
  EXPECT_EQ(plan["errored"], true);
  EXPECT_EQ(plan["applyable"], false);
  ASSERT_FALSE(plan["cdr"]["errors"].empty());
  EXPECT_THAT(plan["cdr"]["errors"][0].get<std::string>(), HasSubstr("host-1"));
  EXPECT_FALSE(std::filesystem::exists(ws_.dir() / "bad.plan"));
}

// -refresh-only shows and records only what changed outside cdr (here: the agent finished its sync after an apply
// that did not wait); a spec change waits for a real apply. -refresh=false plans from the state as recorded.
TEST_F(PlanJsonTest, RefreshOnlyRecordsObservationsAndNothingElse) {
  ws_.WriteSpec("web.toml", GroupSpec(1, 30, "running"));
  ASSERT_EQ(ws_.Cdr({"apply", "-auto-approve", "-no-wait"}).exit_code, 0);
  ws_.WriteSpec("web.toml", GroupSpec(2, 30, "running"));
  auto recorded = [&] {
    return nlohmann::json::parse(ws_.Cdr({"state", "list", "-json"}).out);
  };
  auto server_status = [&] {
    for (const auto& r : recorded()) {
      if (r["address"] == "group.web-prod.server.web-1") return r["status"].get<std::string>();
    }
    return std::string("absent");
  };
  const std::string at_apply = server_status();
  ASSERT_NE(at_apply, "realtime");
  ASSERT_TRUE(cdr::testing::PollUntil(
      [&] { return nlohmann::json::parse(ws_.Cdr({"status", "--json"}).out)["groups"][0]["servers"][0]["state"] ==
                   "realtime"; },
      std::chrono::seconds(120)));
  EXPECT_EQ(server_status(), at_apply) << "status observes live; it does not record";

  RunResult plan = ws_.Cdr({"plan", "-refresh-only", "-detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 2) << plan.out << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("group.web-prod.server.web-1 (state_changed): the agent reports realtime"));
  EXPECT_THAT(plan.out, Not(HasSubstr("web-2")));
  auto json = nlohmann::json::parse(ws_.Cdr({"plan", "-refresh-only", "-json"}).out);
  EXPECT_EQ(json["resource_changes"].size(), 0u);
  EXPECT_EQ(json["resource_drift"][0]["cdr"]["problem"], "state_changed");
  EXPECT_EQ(json["cdr"]["plan_mode"], "refresh_only");
  RunResult saved = ws_.Cdr({"plan", "-refresh-only", "-out=r.plan"});
  EXPECT_EQ(saved.exit_code, 1);
  EXPECT_THAT(saved.err, HasSubstr("cannot be saved"));
  RunResult both = ws_.Cdr({"plan", "-refresh-only", "-refresh=false"});
  EXPECT_EQ(both.exit_code, 1);
  EXPECT_THAT(both.err, HasSubstr("cannot be used together"));

  // From the state as recorded, the server is still syncing: no drift is looked for, web-2 is still planned.
  RunResult stale = ws_.Cdr({"plan", "-refresh=false"});
  EXPECT_EQ(stale.exit_code, 0) << stale.err;
  EXPECT_THAT(stale.out, HasSubstr("-refresh=false"));
  EXPECT_THAT(stale.out, HasSubstr("group.web-prod.server.web-2"));

  const size_t resources = recorded().size();
  RunResult apply = ws_.Cdr({"apply", "-refresh-only", "-auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_THAT(apply.out, HasSubstr("nothing else was changed"));
  EXPECT_EQ(server_status(), "realtime");
  EXPECT_EQ(recorded().size(), resources) << "web-2 is not created";
  EXPECT_EQ(ws_.CountFiles(ws_.cloud() / "agents"), 1u);
  EXPECT_EQ(ws_.Cdr({"plan", "-refresh-only", "-detailed-exitcode"}).exit_code, 0);
  EXPECT_THAT(ws_.Cdr({"jobs"}).out, HasSubstr("observe"));
}

}  // namespace
}  // namespace cdr::e2e
