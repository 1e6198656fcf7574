// A drill's `verify = "checksum"` end to end (issue #11): real cdr, cdr-agent, cdr-shadow and cdr-dr-disk
// processes. The checksum passes when the drill shows what the replica holds and fails when the replica was changed
// behind the shadow's back; a verification whose apply is killed with SIGKILL is shown as interrupted, planned
// again, and run by the next apply, which takes over the dead apply's lock.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "tests/e2e/cdr_workspace.h"

namespace cdr::e2e {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

const std::string kChecksumDrill = "\n[group.server.drill]\nname = \"web1-drill\"\nverify = \"checksum\"\n";

class DrillVerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(ws_.Cdr({"local", "init", "--hosts", "1", "--disk-size-mib", "16"}).exit_code, 0);
    WriteSpec("");
    RunResult applied = ws_.Cdr({"apply", "-auto-approve", "-wait-timeout=120"});
    ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
    ASSERT_EQ(Server()["state"], "realtime") << Server().dump(2);
  }

  void WriteSpec(const std::string& tables) {
    ws_.WriteSpec("web.toml", GroupSpec(1, 30, "running") + "recovery_points = { every_seconds = 1, keep = 100 }\n" +
                                  tables);
  }

  json Server() {
    RunResult r = ws_.Cdr({"status", "--json"});
    json status = json::parse(r.out, nullptr, false);
    if (r.exit_code != 0 || status.is_discarded() || status["groups"].empty() ||
        status["groups"][0]["servers"].empty()) {
      ADD_FAILURE() << "unexpected status: " << r.out << r.err;
      return json::object();
    }
    return status["groups"][0]["servers"][0];
  }

  json Verification() {
    const json server = Server();
    if (!server.contains("dr_hosts") || server["dr_hosts"].empty()) return json();
    return server["dr_hosts"][0]["verification"];
  }

  std::string VerificationResult() {
    const json v = Verification();
    return v.is_object() ? v.value("result", "") : "";
  }

  // Scratch folders of verifications (`verify-*`) under the drill's DR host.
  size_t ScratchFolders() {
    size_t n = 0;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(ws_.cloud(), ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      n += it->is_directory() && it->path().filename().string().rfind("verify-", 0) == 0 ? 1 : 0;
    }
    return n;
  }

  CdrWorkspace ws_;
};

TEST_F(DrillVerifyTest, ChecksumPassesOnTheReplicasContentAndFailsOnAChangedReplica) {
  WriteSpec(kChecksumDrill);
  RunResult drill = ws_.Cdr({"apply", "-auto-approve"});
  ASSERT_EQ(drill.exit_code, 0) << drill.out << drill.err;
  json verification = Verification();
  EXPECT_EQ(verification["kind"], "checksum") << verification.dump(2);
  EXPECT_EQ(verification["result"], "passed") << verification.dump(2);
  EXPECT_THAT(verification["detail"].get<std::string>(), HasSubstr("vda sha256 "));
  EXPECT_EQ(ws_.Cdr({"plan", "-detailed-exitcode"}).exit_code, 0);

  WriteSpec("");  // clear the drill
  ASSERT_EQ(ws_.Cdr({"apply", "-auto-approve"}).exit_code, 0);
  // Bit rot on the shadow: 4 KiB of the replica change while its recorded seq does not. The drill still shows the
  // recovery history's content, which no longer matches.
  const std::string replica = Server()["replicas"][0]["path"];
  const int fd = ::open(replica.c_str(), O_WRONLY);
  ASSERT_GE(fd, 0) << replica;
  const std::string junk(4096, '\x5a');
  ASSERT_EQ(::pwrite(fd, junk.data(), junk.size(), 1 << 20), static_cast<ssize_t>(junk.size()));
  ::close(fd);

  WriteSpec(kChecksumDrill);
  drill = ws_.Cdr({"apply", "-auto-approve"});
  EXPECT_EQ(drill.exit_code, 1) << drill.out << drill.err;
  EXPECT_THAT(drill.out + drill.err, HasSubstr("drill verification (checksum) failed"));
  verification = Verification();
  EXPECT_EQ(verification["result"], "failed") << verification.dump(2);
  EXPECT_THAT(verification["detail"].get<std::string>(), HasSubstr("differs from the replica's"));
  RunResult drift = ws_.Cdr({"drift"});
  EXPECT_EQ(drift.exit_code, 2) << drift.out << drift.err;
  EXPECT_THAT(drift.out, HasSubstr("drill_verification_failed"));
}

TEST_F(DrillVerifyTest, VerificationKilledMidWayIsRunAgainByTheNextApply) {
  WriteSpec(kChecksumDrill);
  // The local provider holds the verification (after it made its scratch folder) until the apply is killed.
  BackgroundCdr apply = ws_.StartCdr({"apply", "-auto-approve"}, "", {"CDR_LOCAL_VERIFY_DELAY_MS=600000"});
  ASSERT_TRUE(PollUntil([&] { return VerificationResult() == "running" && ScratchFolders() == 1; },
                        120s))
      << Verification().dump(2);
  apply.Kill9();

  // Nobody runs it any more: status must not say it is running.
  json verification = Verification();
  EXPECT_EQ(verification["result"], "interrupted") << verification.dump(2);
  RunResult plan = ws_.Cdr({"plan", "-detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 2) << plan.out << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("resuming an interrupted checksum verification"));
  EXPECT_THAT(plan.err, Not(HasSubstr("taking over lock"))) << "a plan reads; it takes no lock over";

  RunResult resumed = ws_.Cdr({"apply", "-auto-approve"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  EXPECT_THAT(resumed.err, HasSubstr("taking over lock"));
  verification = Verification();
  EXPECT_EQ(verification["result"], "passed") << verification.dump(2);
  EXPECT_EQ(ScratchFolders(), 0u) << "the killed verification's scratch images are removed";
  RunResult settled = ws_.Cdr({"plan", "-detailed-exitcode"});
  EXPECT_EQ(settled.exit_code, 0) << settled.out << settled.err;
  EXPECT_THAT(ws_.Cdr({"lock"}).out, HasSubstr("not locked"));
  // The killed apply's job is closed as interrupted, not left running.
  const json jobs = json::parse(ws_.Cdr({"jobs", "--json", "--limit", "100"}).out);
  for (const auto& j : jobs) EXPECT_NE(j["status"], "running") << j.dump();
}

}  // namespace
}  // namespace cdr::e2e
