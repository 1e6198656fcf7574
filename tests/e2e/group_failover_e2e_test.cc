// Group failover and failback end to end (issue #10, Zerto's VPG move): real cdr-agent, cdr-shadow and
// cdr-dr-disk processes on 127.0.0.1. Two servers fail over at ONE group point taken with `cdr
// recovery-points GROUP --take` although both wrote again after it, elsewhere on the disk (each DR disk shows
// what its server had at the point), a point one server lacks is refused before anything moves, the failover
// is confirmed, the DR side writes, and [group.failback] brings both home with exactly the DR side's data:
// production's writes after the point are undone too, which the DR host's change map must name (only the
// changed blocks are compared).
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

constexpr size_t kData = 1 << 20;
constexpr uint64_t kAfterPointOffset = 8 << 20;  // where production writes after the group point

class GroupFailoverE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(ws_.Cdr({"local", "init", "--hosts", "2", "--disk-size-mib", "16"}).exit_code, 0);
  }

  RunResult Apply(const std::string& tables) {
    ws_.WriteSpec("web.toml", GroupSpec(2, 30, "running") + tables);
    return ws_.Cdr({"apply", "-auto-approve", "-wait-timeout=60"});
  }
  json Servers() { return StatusJson(ws_)["groups"][0]["servers"]; }

  // Writes 1 MiB of `seed`'s random bytes at the start of the export; returns their hash.
  std::string Write(const std::string& uri, unsigned seed) {
    const fs::path data = tmp_ / ("data-" + std::to_string(seed));
    cdr::testing::WriteRandomFile(data, kData, seed);
    cdr::testing::RunResult wrote = cdr::testing::RunProgram({"nbdcopy", data.string(), uri});
    EXPECT_EQ(wrote.exit_code, 0) << uri << ": " << wrote.err;
    return Sha256Hex(cdr::testing::ReadFile(data));
  }
  // Writes 1 MiB of `seed`'s random bytes at `offset` of the export (libnbd's Python bindings: nbdcopy writes
  // at 0 only); returns their hash.
  std::string WriteAt(const std::string& uri, uint64_t offset, unsigned seed) {
    const fs::path data = tmp_ / ("data-" + std::to_string(seed));
    cdr::testing::WriteRandomFile(data, kData, seed);
    cdr::testing::RunResult wrote = cdr::testing::RunProgram(
        {"/usr/bin/python3", "-c",
         "import nbd, sys\nh = nbd.NBD()\nh.set_uri_allow_local_file(True)\nh.connect_uri(sys.argv[1])\n"
         "h.pwrite(open(sys.argv[2], 'rb').read(), int(sys.argv[3]))\nh.flush()\nh.shutdown()",
         uri, data.string(), std::to_string(offset)});
    EXPECT_EQ(wrote.exit_code, 0) << uri << ": " << wrote.err;
    return Sha256Hex(cdr::testing::ReadFile(data));
  }
  // The hash of the 1 MiB at `offset` the export serves.
  std::string Head(const std::string& uri, uint64_t offset = 0) {
    const fs::path copy = tmp_ / "head.img";
    fs::remove(copy);
    cdr::testing::RunResult read = cdr::testing::RunProgram({"nbdcopy", uri, copy.string()});
    EXPECT_EQ(read.exit_code, 0) << uri << ": " << read.err;
    return Sha256Hex(cdr::testing::ReadFile(copy).substr(offset, kData));
  }
  fs::path Disk(int server) const {
    return ws_.cloud() / "zones" / "az1" / "disks" / ("host-" + std::to_string(server) + "-vda.img");
  }
  void WaitReplicated() {
    const json servers = Servers();
    for (int i = 0; i < 2; ++i) {
      const std::string replica = servers[i]["replicas"][0]["path"];
      ASSERT_TRUE(cdr::testing::PollUntil(
          [&] { return cdr::testing::RunProgram({"cmp", "-s", Disk(i + 1).string(), replica}).exit_code == 0; },
          std::chrono::seconds(60)))
          << "web-" << i + 1 << "'s replica never matched its disk";
    }
  }

  CdrWorkspace ws_;
  cdr::testing::TempDir tmp_;
};

TEST_F(GroupFailoverE2eTest, TwoServersFailOverAtOneGroupPointAndComeHomeWithTheDrSidesWrites) {
  RunResult protect = Apply("");
  ASSERT_EQ(protect.exit_code, 0) << protect.out << protect.err;
  json servers = Servers();
  std::string at_point[2], after_point[2], on_dr[2], dr_id[2];
  for (int i = 0; i < 2; ++i) at_point[i] = Write(servers[i]["nbd_uris"][0], 10 + i);
  WaitReplicated();
  RunResult taken = ws_.Cdr({"recovery-points", "web-prod", "--take", "--json"});
  ASSERT_EQ(taken.exit_code, 0) << taken.out << taken.err;
  const std::string point = json::parse(taken.out)["taken"];
  for (int i = 0; i < 2; ++i) after_point[i] = WriteAt(servers[i]["nbd_uris"][0], kAfterPointOffset, 20 + i);
  WaitReplicated();

  // A point no server has: refused as a whole, naming the servers, their state and the allowed states.
  RunResult refused = Apply("\n[group.failover]\nrecovery_point = \"rp-20200101T000000Z\"\n");
  EXPECT_NE(refused.exit_code, 0);
  const std::string said = refused.out + refused.err;
  EXPECT_THAT(said, HasSubstr("group.web-prod.failover: group failover of web-prod at rp-20200101T000000Z is "
                              "refused before anything moves"));
  EXPECT_THAT(said, HasSubstr("web-1 (realtime) has no recovery point rp-20200101T000000Z"));
  EXPECT_THAT(said, HasSubstr("web-2 (realtime) has no recovery point"));
  EXPECT_THAT(said, HasSubstr("realtime, realtime_stopping or realtime_stopped"));
  servers = Servers();
  EXPECT_EQ(servers[0]["state"], "realtime");
  EXPECT_EQ(servers[1]["state"], "realtime");

  const std::string failover = "\n[group.failover]\nrecovery_point = \"" + point + "\"\n";
  ws_.WriteSpec("web.toml", GroupSpec(2, 30, "running") + failover);
  RunResult plan = ws_.Cdr({"plan"});
  ASSERT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("web-1-dr at recovery point " + point + " (the group's one point)"));
  EXPECT_THAT(plan.out, HasSubstr("web-2-dr at recovery point " + point + " (the group's one point)"));
  RunResult failed_over = ws_.Cdr({"apply", "-auto-approve", "-wait-timeout=60"});
  ASSERT_EQ(failed_over.exit_code, 0) << failed_over.out << failed_over.err;
  servers = Servers();
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(servers[i]["state"], "failed_over") << servers[i].dump(2);
    EXPECT_EQ(servers[i]["dr_hosts"][0]["point_id"], point);
    const std::string dr_uri = servers[i]["dr_hosts"][0]["nbd_uris"][0];
    EXPECT_EQ(Head(dr_uri), at_point[i]) << "web-" << i + 1 << "'s DR disk is not at the group point";
    EXPECT_NE(Head(dr_uri, kAfterPointOffset), after_point[i]);
  }

  RunResult confirmed = Apply(failover + "confirm = true\n");
  ASSERT_EQ(confirmed.exit_code, 0) << confirmed.out << confirmed.err;
  servers = Servers();
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(servers[i]["state"], "failover_confirmed") << servers[i].dump(2);
    on_dr[i] = Write(servers[i]["dr_hosts"][0]["nbd_uris"][0], 30 + i);
    dr_id[i] = servers[i]["dr_hosts"][0]["id"];
  }

  RunResult home = Apply(failover + "confirm = true\n\n[group.failback]\nrestore_to_original = true\n");
  ASSERT_EQ(home.exit_code, 0) << home.out << home.err;
  servers = Servers();
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(servers[i]["state"], "failed_back") << servers[i].dump(2);
    EXPECT_EQ(servers[i]["fenced"], false);
    EXPECT_EQ(Sha256Hex(cdr::testing::ReadFile(Disk(i + 1)).substr(0, kData)), on_dr[i])
        << "web-" << i + 1 << "'s production disk lacks what was written on its DR host";
    const fs::path dr_image = ws_.cloud() / "zones" / "az2" / "dr_hosts" / dr_id[i] / "images" / "vda.img";
    EXPECT_EQ(cdr::testing::RunProgram({"cmp", Disk(i + 1).string(), dr_image.string()}).exit_code, 0)
        << "web-" << i + 1 << "'s production disk is not the DR host's";
    const json& failback = servers[i]["failback"];
    // The change map's blocks were sent uncompared (without the map both whole disks would be compared).
    EXPECT_EQ(failback.value("reverse_compared_bytes", ~uint64_t{0}), 0u) << failback.dump();
    EXPECT_GT(failback.value("reverse_repair_bytes_sent", uint64_t{0}), 0u) << failback.dump();
  }
}

// Zerto's rollback of a VPG move: [group.failover] removed before the confirm rolls every server back at
// once: both DR hosts go (their writes are lost, the plan says so), both productions are unfenced and
// replicate again from where they stopped, sending no disk again.
TEST_F(GroupFailoverE2eTest, RemovingTheGroupFailoverBeforeTheConfirmRollsBothServersBackWithoutAFullSync) {
  RunResult protect = Apply("");
  ASSERT_EQ(protect.exit_code, 0) << protect.out << protect.err;
  json servers = Servers();
  for (int i = 0; i < 2; ++i) Write(servers[i]["nbd_uris"][0], 40 + i);
  WaitReplicated();

  RunResult taken = ws_.Cdr({"recovery-points", "web-prod", "--take", "--json"});
  ASSERT_EQ(taken.exit_code, 0) << taken.out << taken.err;
  const std::string point = json::parse(taken.out)["taken"];
  RunResult failed_over = Apply("\n[group.failover]\nrecovery_point = \"" + point + "\"\n");
  ASSERT_EQ(failed_over.exit_code, 0) << failed_over.out << failed_over.err;
  servers = Servers();
  uint64_t sent_before[2];
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(servers[i]["state"], "failed_over") << servers[i].dump(2);
    EXPECT_EQ(servers[i]["fenced"], true) << servers[i].dump(2);
    sent_before[i] = servers[i]["bytes_sent"];
    Write(servers[i]["dr_hosts"][0]["nbd_uris"][0], 50 + i);  // lost by the rollback
  }

  ws_.WriteSpec("web.toml", GroupSpec(2, 30, "running"));
  RunResult plan = ws_.Cdr({"plan"});
  ASSERT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("group.web-prod.server.web-1 will be rolled back"));
  EXPECT_THAT(plan.out, HasSubstr("group.web-prod.server.web-2 will be rolled back"));
  EXPECT_THAT(plan.out, HasSubstr("EVERYTHING WRITTEN TO IT SINCE THE FAILOVER IS LOST"));
  RunResult rollback = ws_.Cdr({"apply", "-auto-approve", "-wait-timeout=60"});
  ASSERT_EQ(rollback.exit_code, 0) << rollback.out << rollback.err;
  servers = Servers();
  std::string written[2];
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(servers[i]["state"], "realtime") << servers[i].dump(2);
    EXPECT_EQ(servers[i]["fenced"], false);
    EXPECT_TRUE(servers[i]["dr_hosts"].empty()) << servers[i].dump(2);
    const uint64_t sent = servers[i]["bytes_sent"].get<uint64_t>() - sent_before[i];
    EXPECT_LT(sent, uint64_t{256} << 10) << "web-" << i + 1 << " copied its disk again after the rollback";
    written[i] = Write(servers[i]["nbd_uris"][0], 60 + i);  // production takes writes again
  }
  WaitReplicated();
  for (int i = 0; i < 2; ++i)
    EXPECT_EQ(Sha256Hex(cdr::testing::ReadFile(Disk(i + 1)).substr(0, kData)), written[i]);
}

}  // namespace
}  // namespace cdr::e2e
