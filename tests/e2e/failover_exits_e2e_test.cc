// The ways out of a failover end to end (issue #10, first part): real cdr-agent, cdr-shadow and cdr-dr-disk
// processes on 127.0.0.1. A failover fences production (writes through its NBD export fail, reads work, also after
// the agent restarts); a rollback deletes the DR host, unfences production and resumes replication without a full
// sync; a confirmed failover is released with its group in one apply; every refusal names the server's state.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>

#include "common/digest.h"
#include "tests/e2e/cdr_workspace.h"
#include "tests/e2e/status_json.h"
#include "tests/support/process_test_util.h"

namespace cdr::e2e {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

const std::string kProviderOnly = "[provider]\ntype = \"local\"\nroot = \".cdr/cloud\"\n";

std::string FailoverTable(bool confirm) {
  return std::string("\n[group.server.failover]\nname = \"web1-dr\"\nip = \"10.0.1.5\"\nconfirm = ") +
         (confirm ? "true" : "false") + "\n";
}

class FailoverExitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(ws_.Cdr({"local", "init", "--hosts", "1", "--disk-size-mib", "16"}).exit_code, 0);
    disk_ = ws_.cloud() / "zones" / "az1" / "disks" / "host-1-vda.img";
  }

  static std::string Spec(const std::string& tables) { return GroupSpec(1, 30, "running") + tables; }

  RunResult Apply(const std::string& spec) {
    ws_.WriteSpec("web.toml", spec);
    return ws_.Cdr({"apply", "-auto-approve", "-wait-timeout=60"});
  }
  RunResult Plan(const std::string& spec) {
    ws_.WriteSpec("web.toml", spec);
    return ws_.Cdr({"plan"});
  }

  json Server() { return StatusOfFirstServer(ws_); }

  std::string Uri() { return Server()["nbd_uris"][0].get<std::string>(); }

  cdr::testing::RunResult WriteThroughExport(unsigned seed) {
    cdr::testing::WriteRandomFile(tmp_ / "round.bin", 1 << 20, seed);
    return cdr::testing::RunProgram({"nbdcopy", (tmp_ / "round.bin").string(), Uri()});
  }

  std::string ReadThroughExport() {
    const fs::path out = tmp_ / "read.img";
    fs::remove(out);
    auto copied = cdr::testing::RunProgram({"nbdcopy", Uri(), out.string()});
    EXPECT_EQ(copied.exit_code, 0) << copied.err;
    return Sha256Hex(cdr::testing::ReadFile(out));
  }

  bool ReplicaCaughtUp(const fs::path& replica) {
    return cdr::testing::PollUntil(
        [&] { return cdr::testing::RunProgram({"cmp", "-s", disk_.string(), replica.string()}).exit_code == 0; },
        std::chrono::seconds(60));
  }

  void StartReplicating() {
    RunResult applied = Apply(Spec(""));
    ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
    json server = Server();
    ASSERT_EQ(server["state"], "realtime") << server.dump(2);
    replica_ = server["replicas"][0]["path"].get<std::string>();
    ASSERT_EQ(WriteThroughExport(1).exit_code, 0);
    ASSERT_TRUE(ReplicaCaughtUp(replica_));
  }

  CdrWorkspace ws_;
  cdr::testing::TempDir tmp_;
  fs::path disk_, replica_;
};

TEST_F(FailoverExitsTest, FailoverFencesProductionAndRollbackResumesWithoutAFullSync) {
  ASSERT_NO_FATAL_FAILURE(StartReplicating());
  RunResult failover = Apply(Spec(FailoverTable(false)));
  ASSERT_EQ(failover.exit_code, 0) << failover.out << failover.err;
  json server = Server();
  EXPECT_EQ(server["state"], "failed_over");
  EXPECT_EQ(server["fenced"], true) << server.dump(2);
  RunResult status_text = ws_.Cdr({"status"});
  EXPECT_THAT(status_text.out, HasSubstr("fenced"));

  // Fenced: writes through the production export fail, reads work and the disk keeps its content.
  const std::string fenced_hash = Sha256Hex(cdr::testing::ReadFile(disk_));
  auto refused_write = WriteThroughExport(2);
  EXPECT_NE(refused_write.exit_code, 0) << "a write to the fenced export succeeded";
  EXPECT_EQ(ReadThroughExport(), fenced_hash);
  EXPECT_EQ(Sha256Hex(cdr::testing::ReadFile(disk_)), fenced_hash);

  // The fence survives an agent restart.
  ASSERT_EQ(ws_.Cdr({"local", "down"}).exit_code, 0);
  ASSERT_EQ(ws_.Cdr({"local", "up"}).exit_code, 0);
  EXPECT_EQ(Server()["fenced"], true);
  EXPECT_NE(WriteThroughExport(3).exit_code, 0) << "a restarted agent took a write while fenced";
  EXPECT_EQ(Sha256Hex(cdr::testing::ReadFile(disk_)), fenced_hash);
  // The DR host was restarted too, on another port: status shows where it serves now, and it answers there.
  const json dr = Server()["dr_hosts"][0];
  EXPECT_EQ(dr["live"], true) << dr.dump(2);
  EXPECT_EQ(dr["running"], true) << dr.dump(2);
  ASSERT_FALSE(dr["nbd_uris"].empty()) << dr.dump(2);
  auto info = cdr::testing::RunProgram({"nbdinfo", "--size", dr["nbd_uris"][0].get<std::string>()});
  EXPECT_EQ(info.exit_code, 0) << info.err << dr.dump(2);

  // Refusals while failed_over name the state and what is allowed.
  RunResult removed = Plan(GroupSpec(0, 30, "running"));
  EXPECT_EQ(removed.exit_code, 1);
  EXPECT_THAT(removed.err, HasSubstr("cannot deregister while the server is failed_over"));
  EXPECT_THAT(removed.err, HasSubstr("only once it is failover_confirmed"));
  RunResult group = Plan(kProviderOnly);
  EXPECT_EQ(group.exit_code, 1);
  EXPECT_THAT(group.err, HasSubstr("it still has 1 protected server(s) (web-1: failed_over)"));

  // Rollback: the plan warns, the apply deletes the DR host, unfences and resumes replication.
  const uint64_t sent_before = Server()["bytes_sent"].get<uint64_t>();
  RunResult plan = Plan(Spec(""));
  EXPECT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("EVERYTHING WRITTEN TO IT SINCE THE FAILOVER IS LOST"));
  EXPECT_THAT(plan.out, HasSubstr("will be rolled back"));
  RunResult rollback = ws_.Cdr({"apply", "-auto-approve", "-wait-timeout=60"});
  ASSERT_EQ(rollback.exit_code, 0) << rollback.out << rollback.err;
  server = Server();
  EXPECT_EQ(server["state"], "realtime") << server.dump(2);
  EXPECT_EQ(server["fenced"], false);
  EXPECT_TRUE(server["dr_hosts"].empty());
  const uint64_t sent_after = server["bytes_sent"].get<uint64_t>();
  std::printf("bytes sent by full sync and repair after the rollback: %llu (disk 16 MiB)\n",
              static_cast<unsigned long long>(sent_after - sent_before));
  EXPECT_LT(sent_after - sent_before, uint64_t{256} << 10) << "the rollback must not copy the disk again";

  ASSERT_EQ(WriteThroughExport(4).exit_code, 0) << "production takes writes again after the rollback";
  EXPECT_TRUE(ReplicaCaughtUp(replica_));
  EXPECT_EQ(ws_.Cdr({"plan", "-detailed-exitcode"}).exit_code, 0);
}

TEST_F(FailoverExitsTest, ConfirmedFailoverIsReleasedWithItsGroupInOneApply) {
  ASSERT_NO_FATAL_FAILURE(StartReplicating());
  RunResult confirmed = Apply(Spec(FailoverTable(true)));
  ASSERT_EQ(confirmed.exit_code, 0) << confirmed.out << confirmed.err;
  json server = Server();
  ASSERT_EQ(server["state"], "failover_confirmed");
  EXPECT_EQ(server["fenced"], true);
  const std::string dr_uri = server["dr_hosts"][0]["nbd_uris"][0];

  RunResult failback = Plan(Spec(FailoverTable(true) + "\n[group.server.failback]\nrestore_to_original = true\n"));
  EXPECT_EQ(failback.exit_code, 0) << failback.err;
  EXPECT_THAT(failback.out, HasSubstr("will be reverse registered"));
  RunResult rollback = Plan(Spec(""));
  EXPECT_EQ(rollback.exit_code, 1);
  EXPECT_THAT(rollback.err, HasSubstr("the server is failover_confirmed: a rollback is allowed only before the "
                                      "failover is confirmed (failing_over, failed_over)"));

  RunResult plan = Plan(kProviderOnly);
  EXPECT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("will be released"));
  EXPECT_THAT(plan.out, HasSubstr("standalone host"));
  RunResult removed = ws_.Cdr({"apply", "-auto-approve"});
  ASSERT_EQ(removed.exit_code, 0) << removed.out << removed.err;
  RunResult status = ws_.Cdr({"status", "--json"});
  EXPECT_TRUE(json::parse(status.out)["groups"].empty()) << status.out;
  EXPECT_EQ(ws_.CountFiles(ws_.cloud() / "peerings"), 0u);
  EXPECT_EQ(ws_.CountFiles(ws_.cloud() / "agents"), 0u);
  // The released DR host runs on, serving its standalone disk.
  auto read = cdr::testing::RunProgram({"nbdcopy", dr_uri, (tmp_ / "dr.img").string()});
  EXPECT_EQ(read.exit_code, 0) << read.err;
  EXPECT_EQ(ws_.Cdr({"plan", "-detailed-exitcode"}).exit_code, 0);
}

}  // namespace
}  // namespace cdr::e2e
