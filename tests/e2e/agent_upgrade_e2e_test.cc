// Agent upgrade through the local cloud's real processes (docs/runbook.md#upgrading-an-agent): a server in
// realtime gets `agent_version` = the second build (cdr-agent-next); apply stops cdr-agent gracefully and starts
// cdr-agent-next on the same journal; drift names both releases until then; status shows the new version in
// realtime, the new agent sends only what was written since (no full sync, no repair) and the replica equals the
// disk; a spec without agent_version then wants the default release back. A release whose binary fails to
// start leaves the server in agent_upgrade_failed; setting agent_version back restarts the old release, which
// resumes realtime.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/e2e/cdr_workspace.h"
#include "tests/e2e/status_json.h"
#include "tests/support/process_test_util.h"

namespace cdr::e2e {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// "0.6.0" from "cdr-agent-next 0.6.0": the version a build beside cdr reports.
std::string VersionOf(const std::string& program) {
  const fs::path binary = fs::path(CDR_BINARY).parent_path() / program;
  auto run = cdr::testing::RunProgram({binary.string(), "--version"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  const std::string out = run.out.substr(0, run.out.find('\n'));
  return out.substr(out.rfind(' ') + 1);
}

std::string SpecWithVersion(const std::string& version) {
  return GroupSpec(1, 30, "running") + "agent_version = \"" + version + "\"\n";
}

class AgentUpgradeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(ws_.Cdr({"local", "init", "--hosts", "1", "--disk-size-mib", "16"}).exit_code, 0);
    ws_.WriteSpec("web.toml", GroupSpec(1, 30, "running"));
    RunResult applied = ws_.Cdr({"apply", "-auto-approve", "-wait-timeout=60"});
    ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
    const json server = StatusOfFirstServer(ws_);
    ASSERT_EQ(server["state"], "realtime") << server.dump(2);
    replica_ = server["replicas"][0]["path"].get<std::string>();
    uri_ = server["nbd_uris"][0].get<std::string>();
  }

  // Writes `bytes` of random data at the start of the disk through the agent's NBD export.
  void Write(size_t bytes, unsigned seed) {
    cdr::testing::WriteRandomFile(tmp_ / "data.bin", bytes, seed);
    auto copied = cdr::testing::RunProgram({"nbdcopy", (tmp_ / "data.bin").string(), StatusOfFirstServer(ws_)["nbd_uris"][0]});
    ASSERT_EQ(copied.exit_code, 0) << copied.err;
  }

  // The replica equals the disk and the shadow acknowledged every write (RPO 0).
  bool InSync() {
    const json server = StatusOfFirstServer(ws_);
    return server["state"] == "realtime" && server["rpo_seconds"] == 0.0 &&
           cdr::testing::RunProgram({"cmp", "-s", disk_.string(), replica_.string()}).exit_code == 0;
  }

  CdrWorkspace ws_;
  cdr::testing::TempDir tmp_;
  fs::path disk_ = ws_.cloud() / "zones" / "az1" / "disks" / "host-1-vda.img";
  fs::path replica_;
  std::string uri_;
};

TEST_F(AgentUpgradeTest, UpgradeResumesRealtimeFromTheJournalWithoutResync) {
  const std::string old_version = VersionOf("cdr-agent");
  const std::string new_version = VersionOf("cdr-agent-next");
  ASSERT_NE(old_version, new_version);
  EXPECT_EQ(StatusOfFirstServer(ws_)["agent_version"], old_version);
  Write(2 << 20, 11);
  ASSERT_TRUE(PollUntil([&] { return InSync(); }, std::chrono::seconds(60))) << StatusOfFirstServer(ws_).dump(2);

  ws_.WriteSpec("web.toml", SpecWithVersion(new_version));
  RunResult plan = ws_.Cdr({"plan"});
  EXPECT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  EXPECT_NE(plan.out.find("upgrade agent " + old_version + " -> " + new_version), std::string::npos) << plan.out;
  RunResult drift = ws_.Cdr({"drift"});
  EXPECT_EQ(drift.exit_code, 2) << drift.out << drift.err;
  EXPECT_NE(drift.out.find("(agent_version_differs): the agent of host-1 runs " + old_version +
                           "; the spec asks for " + new_version),
            std::string::npos)
      << drift.out;

  RunResult applied = ws_.Cdr({"apply", "-auto-approve", "-wait-timeout=60"});
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  json server = StatusOfFirstServer(ws_);
  EXPECT_EQ(server["state"], "realtime") << server.dump(2);
  EXPECT_EQ(server["agent_version"], new_version) << server.dump(2);
  EXPECT_EQ(server["full_sync_bytes_sent"], 0) << server.dump(2);
  EXPECT_EQ(server["repair_bytes_sent"], 0) << server.dump(2);

  constexpr uint64_t kWritten = 3 << 20;  // the first 3 MiB of the 16 MiB disk
  Write(kWritten, 12);
  ASSERT_TRUE(PollUntil([&] { return InSync(); }, std::chrono::seconds(60))) << StatusOfFirstServer(ws_).dump(2);
  server = StatusOfFirstServer(ws_);
  // Only the new writes travelled (plus framing): neither a full sync (16 MiB) nor a resend of the 2 MiB before.
  const uint64_t sent = server["bytes_sent"].get<uint64_t>();
  EXPECT_GE(sent, kWritten) << server.dump(2);
  EXPECT_LE(sent, kWritten + kWritten / 8) << server.dump(2);
  EXPECT_EQ(server["full_sync_bytes_sent"], 0) << server.dump(2);
  EXPECT_EQ(server["repair_bytes_sent"], 0) << server.dump(2);
  RunResult again = ws_.Cdr({"plan", "-detailed-exitcode"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;

  // Without agent_version the provider's default release (cdr-agent) is wanted again: drift names both.
  ws_.WriteSpec("web.toml", GroupSpec(1, 30, "running"));
  RunResult unnamed = ws_.Cdr({"drift"});
  EXPECT_EQ(unnamed.exit_code, 2) << unnamed.out << unnamed.err;
  EXPECT_NE(unnamed.out.find("runs " + new_version + "; the spec names no agent_version, so it asks for the "
                             "provider's default release " + old_version),
            std::string::npos)
      << unnamed.out;
}

TEST_F(AgentUpgradeTest, ABrokenReleaseFailsTheUpgradeAndSettingTheVersionBackRecovers) {
  const std::string old_version = VersionOf("cdr-agent");
  // A release the cloud offers whose binary exits at once, found on PATH as the local cloud looks for agents.
  const fs::path bin = tmp_ / "bin";
  fs::create_directories(bin);
  {
    std::ofstream script(bin / "cdr-agent-broken");
    script << "#!/bin/sh\necho 'cdr-agent-broken: this build cannot start' >&2\nexit 3\n";
  }
  fs::permissions(bin / "cdr-agent-broken", fs::perms::owner_all);
  const fs::path cloud_file = ws_.cloud() / "cloud.json";
  json cloud = json::parse(std::ifstream(cloud_file));
  cloud["agent_versions"] = {{"0.9.0", "cdr-agent-broken"}};
  std::ofstream(cloud_file) << cloud.dump(2);
  const std::string path = "PATH=" + bin.string() + ":" + std::getenv("PATH");

  ws_.WriteSpec("web.toml", SpecWithVersion("0.9.0"));
  RunResult failed = ws_.StartCdr({"apply", "-auto-approve", "-wait-timeout=60"}, "", {path}).Wait();
  EXPECT_NE(failed.exit_code, 0) << failed.out << failed.err;
  json server = StatusOfFirstServer(ws_);
  EXPECT_EQ(server["state"], "agent_upgrade_failed") << server.dump(2);
  EXPECT_EQ(server["health"], "error") << server.dump(2);
  EXPECT_NE(server["last_error"].get<std::string>().find("cannot start"), std::string::npos) << server.dump(2);

  // Planning the failed release again is refused with the ways out.
  RunResult refused = ws_.StartCdr({"plan"}, "", {path}).Wait();
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("agent_upgrade_failed"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("agent_version = \"" + old_version + "\""), std::string::npos) << refused.err;

  // The way out: the release before, on the same journal, back to realtime.
  ws_.WriteSpec("web.toml", SpecWithVersion(old_version));
  RunResult back = ws_.StartCdr({"apply", "-auto-approve", "-wait-timeout=60"}, "", {path}).Wait();
  ASSERT_EQ(back.exit_code, 0) << back.out << back.err;
  server = StatusOfFirstServer(ws_);
  EXPECT_EQ(server["state"], "realtime") << server.dump(2);
  EXPECT_EQ(server["agent_version"], old_version) << server.dump(2);
  Write(1 << 20, 13);
  EXPECT_TRUE(PollUntil([&] { return InSync(); }, std::chrono::seconds(60))) << StatusOfFirstServer(ws_).dump(2);
  EXPECT_EQ(StatusOfFirstServer(ws_)["full_sync_bytes_sent"], 0);
}

TEST(AgentUpgradeSpecTest, AVersionTheCloudDoesNotOfferIsRefusedAtPlanTime) {
  CdrWorkspace ws;
  ASSERT_EQ(ws.Cdr({"local", "init", "--hosts", "1", "--disk-size-mib", "16"}).exit_code, 0);
  ws.WriteSpec("web.toml", GroupSpec(1) + "agent_version = \"7.0.0\"\n");
  RunResult plan = ws.Cdr({"plan"});
  EXPECT_EQ(plan.exit_code, 1) << plan.out << plan.err;
  EXPECT_NE(plan.err.find("web.toml:16:17"), std::string::npos) << plan.err;
  EXPECT_NE(plan.err.find("not offered"), std::string::npos) << plan.err;
  EXPECT_NE(plan.err.find(VersionOf("cdr-agent-next")), std::string::npos) << plan.err;

  ws.WriteSpec("web.toml", GroupSpec(1) + "agent_version = \"latest\"\n");
  RunResult invalid = ws.Cdr({"validate"});
  EXPECT_EQ(invalid.exit_code, 1) << invalid.out << invalid.err;
  EXPECT_NE(invalid.err.find("web.toml:16:17"), std::string::npos) << invalid.err;
  EXPECT_NE(invalid.err.find("invalid agent_version"), std::string::npos) << invalid.err;
}

}  // namespace
}  // namespace cdr::e2e
