// GitOps through the real binary and real git repositories: plans read from a commit (also of a bare repo),
// the applied commit recorded in the history, and the rollback guard.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include <nlohmann/json.hpp>

#include "tests/e2e/cdr_workspace.h"

namespace cdr::e2e {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

// Runs git in `dir` (a fixed identity, no user config) and returns its trimmed stdout.
std::string Git(const fs::path& dir, const std::string& args) {
  const fs::path out = dir / ".git-out";
  const std::string cmd = "cd '" + dir.string() + "' && GIT_CONFIG_GLOBAL=/dev/null GIT_AUTHOR_NAME=ci " +
                          "GIT_AUTHOR_EMAIL=ci@example.com GIT_COMMITTER_NAME=ci GIT_COMMITTER_EMAIL=ci@example.com " +
                          "git " + args + " > '" + out.string() + "' 2>&1";
  int rc = std::system(cmd.c_str());
  std::ifstream in(out);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(rc, 0) << "git " << args << ": " << text;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

class GitOpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(ws_.Cdr({"local", "init", "--hosts", "3", "--disk-size-mib", "16"}).exit_code, 0);
    repo_ = ws_.dir() / "repo";
    fs::create_directories(repo_ / "specs");
    Git(repo_, "init -q -b main .");
    Commit(GroupSpec(1), "one server");
    first_ = Git(repo_, "rev-parse HEAD");
    Commit(GroupSpec(2), "two servers");
    second_ = Git(repo_, "rev-parse HEAD");
  }
  void Commit(const std::string& toml, const std::string& message) {
    std::ofstream(repo_ / "specs" / "web.toml") << toml;
    Git(repo_, "add -A");
    Git(repo_, "commit -q -m '" + message + "'");
  }
  CdrWorkspace ws_;
  fs::path repo_;
  std::string first_, second_;
};

TEST_F(GitOpsTest, PlanAtARefDiffersFromTheWorkingTree) {
  std::ofstream(repo_ / "specs" / "web.toml") << GroupSpec(3);  // uncommitted edit
  RunResult at_first = ws_.Cdr({"plan", "--git", "repo", "--ref", first_, "--path", "specs", "--json"});
  ASSERT_EQ(at_first.exit_code, 0) << at_first.err;
  auto plan = nlohmann::json::parse(at_first.out);
  EXPECT_EQ(plan["cdr"]["git_commit"], first_);
  EXPECT_EQ(plan["cdr"]["summary"]["add"], 4);  // group, peering, endpoint, web-1
  RunResult at_main = ws_.Cdr({"plan", "--git", "repo", "--ref", "main", "--path", "specs", "--json"});
  EXPECT_EQ(nlohmann::json::parse(at_main.out)["cdr"]["summary"]["add"], 5);
  RunResult tree = ws_.Cdr({"plan", "--spec", "repo/specs", "--json"});
  auto tree_plan = nlohmann::json::parse(tree.out);
  EXPECT_EQ(tree_plan["cdr"]["summary"]["add"], 6);
  EXPECT_EQ(tree_plan["cdr"]["git_commit"], second_);
  EXPECT_EQ(tree_plan["cdr"]["git_dirty"], true);
}

TEST_F(GitOpsTest, WorksOnABareRepositoryAndPointsErrorsAtTheCommittedFile) {
  Git(ws_.dir(), "clone -q --bare repo bare.git");
  RunResult plan = ws_.Cdr({"plan", "--git", "bare.git", "--ref", "main", "--path", "specs", "-detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 2) << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("group.web-prod.server.web-2"));
  RunResult missing = ws_.Cdr({"plan", "--git", "bare.git", "--ref", "nope", "--path", "specs"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("git ref `nope` not found"));

  Commit("[[group]]\nname = \"xx\"\nproduction_zone = \"az1\"\ndr_zone = \"az1\"\nvpc = \"v\"\n", "bad");
  RunResult bad = ws_.Cdr({"plan", "--git", "repo", "--ref", "main", "--path", "specs"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("specs/web.toml:4:11: group.xx.dr_zone: must differ from production_zone"));
}

TEST_F(GitOpsTest, ApplyRecordsTheCommitAndRollbackNeedsTheFlag) {
  ASSERT_EQ(ws_.Cdr({"plan", "--git", "repo", "--ref", "main", "--path", "specs", "-out", "main.plan"}).exit_code, 0);
  // The branch moves on after the plan: the saved plan still applies the commit it was made from.
  Commit(GroupSpec(3), "three servers");
  RunResult apply = ws_.Cdr({"apply", "main.plan"});
  ASSERT_EQ(apply.exit_code, 0) << apply.err;
  EXPECT_EQ(ws_.CountFiles(ws_.cloud() / "agents"), 2u);

  auto history = nlohmann::json::parse(ws_.Cdr({"history", "--json"}).out);
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0]["git_commit"], second_);
  EXPECT_EQ(history[0]["changes"], 5);
  EXPECT_THAT(history[0]["operator"].get<std::string>(), HasSubstr("@"));
  EXPECT_EQ(history[0]["plan_digest"].get<std::string>().size(), 64u);

  // An older commit would undo web-2: refused without --allow-rollback, with the reason.
  RunResult old = ws_.Cdr({"apply", "--git", "repo", "--ref", first_, "--path", "specs"}, "yes\n");
  EXPECT_EQ(old.exit_code, 1);
  EXPECT_THAT(old.out, ::testing::Not(HasSubstr("Do you want to perform these actions?")));  // refused first
  EXPECT_THAT(old.err, HasSubstr("commit " + first_.substr(0, 12) + " is not a descendant of the last applied "
                                 "commit " + second_.substr(0, 12)));
  EXPECT_EQ(ws_.CountFiles(ws_.cloud() / "agents"), 2u);

  RunResult forced = ws_.Cdr(
      {"apply", "--git", "repo", "--ref", first_, "--path", "specs", "--auto-approve", "--allow-rollback"});
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(ws_.CountFiles(ws_.cloud() / "agents"), 1u);
  history = nlohmann::json::parse(ws_.Cdr({"history", "--json"}).out);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0]["git_commit"], first_);
  EXPECT_EQ(history[0]["rollback"], true);

  // Moving forward again from the rolled-back commit is not a rollback.
  RunResult forward = ws_.Cdr({"apply", "--git", "repo", "--ref", "main", "--path", "specs", "--auto-approve"});
  EXPECT_EQ(forward.exit_code, 0) << forward.err;
  EXPECT_EQ(ws_.CountFiles(ws_.cloud() / "agents"), 3u);
  EXPECT_THAT(ws_.Cdr({"history"}).out, HasSubstr("[rollback]"));
}

TEST_F(GitOpsTest, NightlyDriftReportIsCommittedToABranch) {
  ASSERT_EQ(ws_.Cdr({"apply", "--git", "repo", "--ref", "main", "--path", "specs", "--auto-approve"}).exit_code, 0);
  const std::vector<std::string> drift = {"drift", "--git", "repo", "--ref", "main", "--path", "specs",
                                          "--markdown", "--write-to-branch", "drift-reports"};
  RunResult clean = ws_.Cdr(drift);
  EXPECT_EQ(clean.exit_code, 0) << clean.err;
  EXPECT_THAT(Git(repo_, "show drift-reports:drift-report.md"), HasSubstr("- drifted: 0"));

  // main moves on without an apply, and a peering disappears behind cdr's back.
  Commit(GroupSpec(3), "three servers");
  for (const auto& e : fs::directory_iterator(ws_.cloud() / "peerings")) fs::remove(e);
  RunResult found = ws_.Cdr(drift);
  EXPECT_EQ(found.exit_code, 2) << found.err;
  EXPECT_THAT(found.err, HasSubstr("Drift report committed to branch drift-reports"));
  const std::string md = Git(repo_, "show drift-reports:drift-report.md");
  EXPECT_THAT(md, HasSubstr("| `group.web-prod.peering` | peering | deleted |"));
  EXPECT_THAT(md, HasSubstr("| `group.web-prod.server.web-3` | server | not_applied |"));
  auto json = nlohmann::json::parse(Git(repo_, "show drift-reports:drift-report.json"));
  EXPECT_EQ(json["spec_commit"], Git(repo_, "rev-parse main"));
  EXPECT_EQ(json["drifted"].size(), 2u);
  EXPECT_EQ(Git(repo_, "rev-list --count drift-reports"), "2");
  EXPECT_EQ(Git(repo_, "rev-parse --abbrev-ref HEAD"), "main");  // the work tree was not touched

  // A CI job runs in a fresh clone where only origin has the report branch: it continues origin's history.
  Git(ws_.dir(), "clone -q repo clone");
  std::vector<std::string> from_clone = drift;
  from_clone[2] = "clone";
  EXPECT_EQ(ws_.Cdr(from_clone).exit_code, 2);
  EXPECT_EQ(Git(ws_.dir() / "clone", "rev-list --count drift-reports"), "3");
}

}  // namespace
}  // namespace cdr::e2e
