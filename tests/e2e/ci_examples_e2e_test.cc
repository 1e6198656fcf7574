// The CI jobs of examples/ci/ run as a pipeline would run them: against a real git repository, the real binary
// and the local provider, one job after the other sharing the state.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tests/e2e/cdr_workspace.h"
#include "tests/support/process_test_util.h"

namespace cdr::e2e {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

struct Job {
  int exit_code;
  std::string output;
};

class CiExamplesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(ws_.Cdr({"local", "init", "--hosts", "3", "--disk-size-mib", "16"}).exit_code, 0);
    fs::create_directories(ws_.dir() / "repo" / "specs");
    Shell("cd repo && git init -q -b main .");
    Commit(GroupSpec(2));
  }

  // Runs a shell command in the workspace with a fixed git identity and no user git config.
  Job Shell(const std::string& command, const std::string& env = "") {
    const fs::path out = ws_.dir() / ".job-output";
    const std::string full = "cd '" + ws_.dir().string() + "' && export GIT_CONFIG_GLOBAL=/dev/null " +
                             "GIT_AUTHOR_NAME=ci GIT_AUTHOR_EMAIL=ci@example.com GIT_COMMITTER_NAME=ci " +
                             "GIT_COMMITTER_EMAIL=ci@example.com " + env + " && " + command + " > '" +
                             out.string() + "' 2>&1";
    int status = std::system(full.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, cdr::testing::ReadFile(out)};
  }
  void Commit(const std::string& toml) {
    std::ofstream(ws_.dir() / "repo" / "specs" / "web.toml") << toml;
    ASSERT_EQ(Shell("cd repo && git add -A && git commit -q -m spec").exit_code, 0);
  }
  // A job of examples/ci/ with the variables the pipeline would set.
  Job RunJob(const std::string& script, const std::string& ref) {
    const std::string env = std::string("CDR='") + CDR_BINARY + "' CDR_REPO=repo CDR_REF=" + ref +
                            " CDR_SPEC_PATH=specs CDR_STATE=.cdr/state.db CDR_PLAN_FILE=cdr.plan";
    return Shell("bash '" + std::string(CDR_SOURCE_DIR) + "/examples/ci/" + script + "'", env);
  }
  std::string Head() { return Shell("cd repo && git rev-parse HEAD").output.substr(0, 40); }

  CdrWorkspace ws_;
};

TEST_F(CiExamplesTest, PlanThenApplyThenNightlyDrift) {
  const std::string commit = Head();
  Job plan = RunJob("plan.sh", commit);
  EXPECT_EQ(plan.exit_code, 2) << plan.output;  // changes
  EXPECT_THAT(cdr::testing::ReadFile(ws_.dir() / "plan-summary.md"), HasSubstr("Plan: 5 to add"));
  ASSERT_TRUE(fs::exists(ws_.dir() / "cdr.plan"));

  Job apply = RunJob("apply.sh", commit);
  ASSERT_EQ(apply.exit_code, 0) << apply.output;
  EXPECT_THAT(apply.output, HasSubstr("Apply complete!"));
  EXPECT_THAT(apply.output, HasSubstr(commit.substr(0, 12)));  // the history the job prints

  // Re-running the apply job with the same (now stale) plan is refused, not applied twice.
  Job again = RunJob("apply.sh", commit);
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.output, HasSubstr("is stale"));
  EXPECT_EQ(RunJob("plan.sh", commit).exit_code, 0);  // nothing left to do

  Job nightly = RunJob("drift.sh", "main");
  EXPECT_EQ(nightly.exit_code, 0) << nightly.output;
  for (const auto& e : fs::directory_iterator(ws_.cloud() / "endpoints")) fs::remove(e);
  Job found = RunJob("drift.sh", "main");
  EXPECT_EQ(found.exit_code, 2) << found.output;
  Job show = Shell("cd repo && git show cdr-drift-reports:drift-report.md");
  EXPECT_THAT(show.output, HasSubstr("| `group.web-prod.endpoint` | endpoint | deleted |"));
}

TEST_F(CiExamplesTest, AnOldPipelineCannotRollBackWithoutTheFlag) {
  const std::string old_commit = Head();
  Commit(GroupSpec(3));
  const std::string new_commit = Head();
  ASSERT_EQ(RunJob("plan.sh", new_commit).exit_code, 2);
  ASSERT_EQ(RunJob("apply.sh", new_commit).exit_code, 0);
  ASSERT_EQ(RunJob("plan.sh", old_commit).exit_code, 2);  // would deregister web-3
  Job rollback = RunJob("apply.sh", old_commit);
  EXPECT_EQ(rollback.exit_code, 1);
  EXPECT_THAT(rollback.output, HasSubstr("is not a descendant of the last applied commit"));
  EXPECT_EQ(ws_.CountFiles(ws_.cloud() / "agents"), 3u);
}

// The nightly job as GitLab runs it: in a clone of `origin` that fetched only main, night after night, and once in
// a reused working copy whose local report branch is behind origin's.
TEST_F(CiExamplesTest, NightlyDriftInSingleBranchClonesContinuesOriginsReportHistory) {
  ASSERT_EQ(Shell("git clone -q --bare repo origin.git").exit_code, 0);
  auto night = [&](const std::string& clone) {
    if (!fs::exists(ws_.dir() / clone)) {
      EXPECT_EQ(Shell("git clone -q --single-branch -b main origin.git " + clone).exit_code, 0);
    }
    const std::string env = std::string("CDR='") + CDR_BINARY + "' CDR_REPO=" + clone +
                            " CDR_REF=main CDR_SPEC_PATH=specs CDR_STATE=.cdr/state.db CDR_DRIFT_REMOTE=origin";
    return Shell("bash '" + std::string(CDR_SOURCE_DIR) + "/examples/ci/drift.sh'", env);
  };
  auto reports_on_origin = [&] {
    return Shell("git --git-dir=origin.git rev-list --count cdr-drift-reports").output;
  };
  Job first = night("night1");
  EXPECT_EQ(first.exit_code, 2) << first.output;  // the spec is not applied: drift, and the report is pushed
  EXPECT_EQ(reports_on_origin(), "1\n");
  Job second = night("night2");
  EXPECT_EQ(second.exit_code, 2) << second.output;
  EXPECT_EQ(reports_on_origin(), "2\n");
  Job reused = night("night1");  // its local branch still points at the first report
  EXPECT_EQ(reused.exit_code, 2) << reused.output;
  EXPECT_EQ(reports_on_origin(), "3\n");

  // A local report branch with a commit origin never got: refused before anything is written or pushed.
  ASSERT_EQ(Shell("cd night2 && git fetch -q origin +refs/heads/cdr-drift-reports:refs/remotes/origin/"
                  "cdr-drift-reports && git update-ref refs/heads/cdr-drift-reports $(git commit-tree -p "
                  "cdr-drift-reports~1 -m local cdr-drift-reports^{tree})")
                .exit_code,
            0);
  Job diverged = night("night2");
  EXPECT_EQ(diverged.exit_code, 1) << diverged.output;
  EXPECT_THAT(diverged.output, HasSubstr("have diverged"));
  EXPECT_EQ(reports_on_origin(), "3\n");
}

TEST(CiExamplesPipelineTest, TheGitlabPipelineRunsTheTestedScripts) {
  const std::string yml = cdr::testing::ReadFile(fs::path(CDR_SOURCE_DIR) / "examples" / "ci" / "gitlab-ci.yml");
  for (const char* script : {"examples/ci/plan.sh", "examples/ci/apply.sh", "examples/ci/drift.sh"}) {
    EXPECT_THAT(yml, HasSubstr(std::string("bash ") + script));
    EXPECT_TRUE(fs::exists(fs::path(CDR_SOURCE_DIR) / script)) << script;
  }
}

}  // namespace
}  // namespace cdr::e2e
