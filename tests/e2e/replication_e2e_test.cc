// The reconciler driving real replication: `cdr apply` starts a real cdr-agent and cdr-shadow through the local
// provider, waits for realtime; data written with nbdcopy to the agent's NBD export reaches the replica file
// byte for byte; replication = "stopped" and back to "running" go through realtime_stopped and resume; after
// `cdr local down` an apply brings agent and shadow back and replication catches up.
#include <gtest/gtest.h>

#include <sstream>

#include <nlohmann/json.hpp>

#include <filesystem>

#include "tests/e2e/cdr_workspace.h"
#include "tests/e2e/status_json.h"
#include "tests/support/process_test_util.h"

namespace cdr::e2e {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

class ReplicationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(ws_.Cdr({"local", "init", "--hosts", "1", "--disk-size-mib", "16"}).exit_code, 0);
  }

  RunResult Apply(const std::string& replication) {
    ws_.WriteSpec("web.toml", GroupSpec(1, 30, replication));
    return ws_.Cdr({"apply", "-auto-approve", "-wait-timeout=60"});
  }

  // The one server of `cdr status --json`.
  json Server() { return StatusOfFirstServer(ws_); }

  CdrWorkspace ws_;
};

TEST_F(ReplicationTest, ApplyStartsReplicationAndWritesReachTheReplica) {
  RunResult applied = Apply("running");
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  EXPECT_NE(applied.out.find("shadow_host"), std::string::npos) << applied.out;
  // The progress lines (stderr, not a terminal): no RPO before the replica is consistent, one once realtime.
  std::istringstream lines(applied.err);
  int syncing = 0, realtime = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.find("  replication_starting ") != std::string::npos || line.find("  full_sync ") != std::string::npos) {
      ++syncing;
      EXPECT_NE(line.find("RPO -"), std::string::npos) << line;
    }
    if (line.find("  realtime ") != std::string::npos) {
      ++realtime;
      EXPECT_EQ(line.find("RPO -"), std::string::npos) << line;
    }
  }
  EXPECT_GT(syncing, 0) << applied.err;
  EXPECT_GT(realtime, 0) << applied.err;

  json server = Server();
  EXPECT_EQ(server["state"], "realtime");
  EXPECT_EQ(server["phase"], "realtime");
  EXPECT_EQ(server["live"], true);
  ASSERT_EQ(server["nbd_uris"].size(), 1u) << server.dump(2);
  const std::string uri = server["nbd_uris"][0];
  // TLS with cdr's client certificate: the URI libnbd's tools take as it is (issue #13).
  EXPECT_EQ(uri.rfind("nbds://127.0.0.1:", 0), 0u) << uri;
  EXPECT_NE(uri.find("/vda?tls-certificates=/"), std::string::npos) << uri;
  EXPECT_FALSE(server["api_address"].get<std::string>().empty());
  EXPECT_FALSE(server["shadow_host_id"].get<std::string>().empty());
  ASSERT_EQ(server["replicas"].size(), 1u) << server.dump(2);
  const fs::path replica = server["replicas"][0]["path"].get<std::string>();
  const fs::path disk = ws_.cloud() / "zones" / "az1" / "disks" / "host-1-vda.img";
  ASSERT_TRUE(fs::exists(disk)) << disk;

  cdr::testing::TempDir tmp;
  cdr::testing::WriteRandomFile(tmp / "random.bin", 4 << 20, 7);
  auto copied = cdr::testing::RunProgram({"nbdcopy", (tmp / "random.bin").string(), uri});
  ASSERT_EQ(copied.exit_code, 0) << copied.err;
  EXPECT_TRUE(cdr::testing::PollUntil(
      [&] { return cdr::testing::RunProgram({"cmp", "-s", disk.string(), replica.string()}).exit_code == 0; },
      std::chrono::seconds(60)))
      << "replica " << replica << " never matched " << disk;

  RunResult stopped = Apply("stopped");
  ASSERT_EQ(stopped.exit_code, 0) << stopped.out << stopped.err;
  EXPECT_EQ(Server()["state"], "realtime_stopped");

  RunResult resumed = Apply("running");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  EXPECT_EQ(Server()["state"], "realtime");
  RunResult plan = ws_.Cdr({"plan", "-detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 0) << plan.out << plan.err;
}

// `cdr local down` stops the agent and the shadow; the plan restarts both and points the agent at the shadow's
// new address; after the apply writes through the restarted agent reach the replica again.
TEST_F(ReplicationTest, AfterLocalDownApplyRestartsAgentAndShadowAndReplicationCatchesUp) {
  RunResult applied = Apply("running");
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  const std::string old_shadow_address = Server()["replication_address"];

  RunResult down = ws_.Cdr({"local", "down"});
  ASSERT_EQ(down.exit_code, 0) << down.out << down.err;
  EXPECT_TRUE(ws_.CloudProcesses().empty());

  RunResult plan = ws_.Cdr({"plan", "-detailed-exitcode"});
  ASSERT_EQ(plan.exit_code, 2) << plan.out << plan.err;
  EXPECT_NE(plan.out.find("agent_stopped"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("shadow_host_stopped"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("will have its agent process restarted"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("shadow_host will be restarted"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("will be pointed at its shadow host's new address"), std::string::npos) << plan.out;

  RunResult again = ws_.Cdr({"apply", "-auto-approve", "-wait-timeout=60"});
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  json server = Server();
  EXPECT_EQ(server["state"], "realtime") << server.dump(2);
  EXPECT_EQ(server["live"], true);
  EXPECT_NE(server["replication_address"], old_shadow_address);
  ASSERT_EQ(server["nbd_uris"].size(), 1u) << server.dump(2);
  ASSERT_EQ(server["replicas"].size(), 1u) << server.dump(2);

  const fs::path replica = server["replicas"][0]["path"].get<std::string>();
  const fs::path disk = ws_.cloud() / "zones" / "az1" / "disks" / "host-1-vda.img";
  cdr::testing::TempDir tmp;
  cdr::testing::WriteRandomFile(tmp / "random.bin", 4 << 20, 11);
  const std::string uri = server["nbd_uris"][0];
  auto copied = cdr::testing::RunProgram({"nbdcopy", (tmp / "random.bin").string(), uri});
  ASSERT_EQ(copied.exit_code, 0) << copied.err;
  EXPECT_TRUE(cdr::testing::PollUntil(
      [&] { return cdr::testing::RunProgram({"cmp", "-s", disk.string(), replica.string()}).exit_code == 0; },
      std::chrono::seconds(60)))
      << "replica " << replica << " never matched " << disk << " after the restart";
  RunResult settled = ws_.Cdr({"plan", "-detailed-exitcode"});
  EXPECT_EQ(settled.exit_code, 0) << settled.out << settled.err;
}

TEST_F(ReplicationTest, StopsEveryCloudProcessItStarted) {
  ASSERT_EQ(Apply("stopped").exit_code, 0);
  EXPECT_FALSE(ws_.CloudProcesses().empty()) << "registering starts the agent";
  ws_.StopCloudProcesses();
  EXPECT_TRUE(ws_.CloudProcesses().empty());
}

}  // namespace
}  // namespace cdr::e2e
