// Group failover and failback end to end (issue #10, Zerto's VPG move): real cdr-agent, cdr-shadow and cdr-dr-disk
// processes on 127.0.0.1. Two servers fail over at ONE group point taken with `cdr recovery-points GROUP --take`
// although both wrote again after it (each DR disk shows what its server had at the point), a point one server
// lacks is refused before anything moves, the failover is confirmed, the DR side writes, and [group.failback]
// brings both home with the DR side's data.
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
  // The hash of the first 1 MiB the export serves.
  std::string Head(const std::string& uri) {
    const fs::path copy = tmp_ / "head.img";
    fs::remove(copy);
    cdr::testing::RunResult read = cdr::testing::RunProgram({"nbdcopy", uri, copy.string()});
    EXPECT_EQ(read.exit_code, 0) << uri << ": " << read.err;
    return Sha256Hex(cdr::testing::ReadFile(copy).substr(0, kData));
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
  std::string at_point[2], after_point[2], on_dr[2];
  for (int i = 0; i < 2; ++i) at_point[i] = Write(servers[i]["nbd_uris"][0], 10 + i);
  WaitReplicated();
  RunResult taken = ws_.Cdr({"recovery-points", "web-prod", "--take", "--json"});
  ASSERT_EQ(taken.exit_code, 0) << taken.out << taken.err;
  const std::string point = json::parse(taken.out)["taken"];
  for (int i = 0; i < 2; ++i) after_point[i] = Write(servers[i]["nbd_uris"][0], 20 + i);
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
    const std::string dr_head = Head(servers[i]["dr_hosts"][0]["nbd_uris"][0]);
    EXPECT_EQ(dr_head, at_point[i]) << "web-" << i + 1 << "'s DR disk is not at the group point";
    EXPECT_NE(dr_head, after_point[i]);
  }

  RunResult confirmed = Apply(failover + "confirm = true\n");
  ASSERT_EQ(confirmed.exit_code, 0) << confirmed.out << confirmed.err;
  servers = Servers();
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(servers[i]["state"], "failover_confirmed") << servers[i].dump(2);
    on_dr[i] = Write(servers[i]["dr_hosts"][0]["nbd_uris"][0], 30 + i);
  }

  RunResult home = Apply(failover + "confirm = true\n\n[group.failback]\nrestore_to_original = true\n");
  ASSERT_EQ(home.exit_code, 0) << home.out << home.err;
  servers = Servers();
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(servers[i]["state"], "failed_back") << servers[i].dump(2);
    EXPECT_EQ(servers[i]["fenced"], false);
    EXPECT_EQ(Sha256Hex(cdr::testing::ReadFile(Disk(i + 1)).substr(0, kData)), on_dr[i])
        << "web-" << i + 1 << "'s production disk lacks what was written on its DR host";
  }
}

}  // namespace
}  // namespace cdr::e2e
