// Issue #13 findings 6, 7 and 8 through the real `cdr` and the processes of the local cloud: no token in a
// 0644 file, a log, plan JSON, status JSON or the state; disk images 0600; a damaged state refused by status
// and plan; spec values that would become paths or forge output refused with their position.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/e2e/cdr_workspace.h"
#include "tests/support/process_test_util.h"

namespace cdr::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;

std::string Slurp(const fs::path& path) { return cdr::testing::ReadFile(path); }

bool OwnerOnly(const fs::path& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) == 0;
}

class SecurityE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(ws_.Cdr({"local", "init", "--hosts", "1", "--disk-size-mib", "16"}).exit_code, 0);
  }
  std::vector<fs::path> Files() const {
    std::vector<fs::path> files;
    for (const auto& e : fs::recursive_directory_iterator(ws_.dir())) {
      if (e.is_regular_file()) files.push_back(e.path());
    }
    return files;
  }
  CdrWorkspace ws_;
};

TEST_F(SecurityE2eTest, NoTokenLeavesItsOwnerOnlyFileAndImagesAreOwnerOnly) {
  ws_.WriteSpec("web.toml", GroupSpec(1, 30, "running"));
  RunResult applied = ws_.Cdr({"apply", "-auto-approve", "-wait-timeout=60"});
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;

  std::vector<std::string> tokens;
  for (const fs::path& file : Files()) {
    if (file.filename() != "token") continue;
    EXPECT_TRUE(OwnerOnly(file)) << file;
    std::string token = Slurp(file);
    while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) token.pop_back();
    ASSERT_GE(token.size(), 16u) << file;
    tokens.push_back(token);
  }
  ASSERT_FALSE(tokens.empty()) << "the local cloud wrote no token file";
  // TLS is on by default: the CA's, the agent's and the shadow host's keys, owner-only, never copied
  // anywhere.
  size_t keys = 0;
  for (const fs::path& file : Files()) {
    const std::string name = file.filename().string();
    if (name.size() < 8 || name.compare(name.size() - 8, 8, "-key.pem") != 0) continue;
    EXPECT_TRUE(OwnerOnly(file)) << file;
    const std::string pem = Slurp(file);
    const size_t body = pem.find('\n') + 1;
    tokens.push_back(pem.substr(body, pem.find('\n', body) - body));  // the key's first base64 line
    ++keys;
  }
  EXPECT_GE(keys, 3u) << "the CA's, the agent's and the shadow host's keys";

  std::vector<std::pair<std::string, std::string>> places;  // where, text
  for (const fs::path& file : Files()) {
    if (file.filename() == "token") continue;
    if (file.extension() == ".img") EXPECT_TRUE(OwnerOnly(file)) << file << " is readable by others";
    if (file.extension() == ".json" || file.extension() == ".log" || file.extension() == ".err" ||
        file.extension() == ".out" || file.extension() == ".toml") {
      places.emplace_back(file.string(), Slurp(file));
    }
  }
  RunResult plan = ws_.Cdr({"plan", "-json"});
  places.emplace_back("plan -json", plan.out + plan.err);
  RunResult status = ws_.Cdr({"status", "--json"});
  places.emplace_back("status --json", status.out + status.err);
  cdr::testing::RunResult dump =
      cdr::testing::RunProgram({"sqlite3", (ws_.dir() / ".cdr" / "state.db").string(), ".dump"});
  ASSERT_EQ(dump.exit_code, 0) << dump.err;
  places.emplace_back("state dump", dump.out);
  places.emplace_back("apply output", applied.out + applied.err);
  for (const std::string& token : tokens) {
    for (const auto& [where, text] : places)
      EXPECT_EQ(text.find(token), std::string::npos) << "a token or key in " << where;
  }
}

TEST_F(SecurityE2eTest, ADamagedStateIsRefusedByStatusAndPlanWithHowToRestore) {
  ws_.WriteSpec("web.toml", GroupSpec(1));
  ASSERT_EQ(ws_.Cdr({"apply", "-auto-approve"}).exit_code, 0);
  ASSERT_EQ(ws_.Cdr({"state", "backup", "state.backup"}).exit_code, 0);
  {
    std::fstream f(ws_.dir() / ".cdr" / "state.db", std::ios::in | std::ios::out | std::ios::binary);
    char byte = 0;
    f.seekg(31);
    f.read(&byte, 1);
    byte ^= 0x01;
    f.seekp(31);
    f.write(&byte, 1);
  }
  for (const std::vector<std::string>& command : {std::vector<std::string>{"status"}, {"plan"}}) {
    RunResult r = ws_.Cdr(command);
    EXPECT_NE(r.exit_code, 0) << command[0];
    EXPECT_THAT(r.out + r.err, HasSubstr("is damaged")) << command[0];
    EXPECT_THAT(r.out + r.err, HasSubstr("cdr state restore")) << command[0];
    EXPECT_THAT(r.out + r.err, Not(HasSubstr("No protection groups"))) << command[0];
  }
  RunResult restored = ws_.Cdr({"state", "restore", "state.backup"});
  ASSERT_EQ(restored.exit_code, 0) << restored.err;
  RunResult status = ws_.Cdr({"status"});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_THAT(status.out, HasSubstr("web-prod"));
}

TEST_F(SecurityE2eTest, SpecValuesThatWouldBecomePathsAreRefusedAndDevZeroAtOnce) {
  std::string spec = GroupSpec(1);
  spec.replace(spec.find("\"az1\""), 5, "\"../../x\"");
  ws_.WriteSpec("web.toml", spec);
  RunResult validate = ws_.Cdr({"validate"});
  EXPECT_EQ(validate.exit_code, 1);
  EXPECT_THAT(validate.out + validate.err, HasSubstr("specs/web.toml:7:19"));
  EXPECT_THAT(validate.out + validate.err, HasSubstr("invalid production_zone"));

  const auto started = std::chrono::steady_clock::now();
  RunResult zero = ws_.Cdr({"validate", "--spec", "/dev/zero"});
  EXPECT_EQ(zero.exit_code, 1);
  EXPECT_THAT(zero.out + zero.err, HasSubstr("larger than 4 MiB"));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
}

TEST_F(SecurityE2eTest, AnUnknownHostIsADiagnosticWithItsPositionNotAnAbortedPlan) {
  std::string spec = GroupSpec(1);
  spec.replace(spec.find("\"host-1\""), 8, "\"host-9\"");
  ws_.WriteSpec("web.toml", spec);
  RunResult plan = ws_.Cdr({"plan"});
  EXPECT_EQ(plan.exit_code, 1);
  EXPECT_THAT(plan.out + plan.err, HasSubstr("specs/web.toml:14:8"));
  EXPECT_THAT(plan.out + plan.err, HasSubstr("host-9"));
}

}  // namespace
}  // namespace cdr::e2e
