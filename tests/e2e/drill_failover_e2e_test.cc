// Drills and failovers end to end (issue #4): real cdr-agent, cdr-shadow and cdr-dr-disk processes on 127.0.0.1.
// The primary's content hash is recorded at several instants while writing; a drill and then a failover are
// brought up at each of those instants (RFC 3339 times) and must show exactly that content, read back with
// nbdcopy from the DR host's NBD export. Replication keeps flowing during a drill; a confirmed failover deletes the
// shadow host and its history and leaves the DR host with standalone disks.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <thread>

#include "tests/e2e/cdr_workspace.h"
#include "tests/e2e/status_json.h"
#include "tests/support/nbd_client_args.h"
#include "tests/support/process_test_util.h"

namespace cdr::e2e {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::string Rfc3339Now() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms));
  return out;
}

// What the primary looked like at one instant.
struct Instant {
  std::string time;
  std::string hash;
};

class DrillFailoverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(ws_.Cdr({"local", "init", "--hosts", "1", "--disk-size-mib", "16"}).exit_code, 0);
    disk_ = ws_.cloud() / "zones" / "az1" / "disks" / "host-1-vda.img";
  }

  RunResult Apply(const std::string& tables) {
    ws_.WriteSpec("web.toml", GroupSpec(1, 30, "running") + "recovery_points = { every_seconds = 1, keep = 1000 }\n" +
                                  tables);
    return ws_.Cdr({"apply", "-auto-approve", "-wait-timeout=60"});
  }

  json Server() { return StatusOfFirstServer(ws_); }

  // Writes 2 MiB of new random data through the agent, waits until the replica holds it, and notes the instant.
  Instant WriteRound(unsigned seed) {
    cdr::testing::WriteRandomFile(tmp_ / "round.bin", 2 << 20, seed);
    auto copied = cdr::testing::RunProgram({"nbdcopy", (tmp_ / "round.bin").string(), uri_});
    EXPECT_EQ(copied.exit_code, 0) << copied.err;
    EXPECT_TRUE(cdr::testing::PollUntil(
        [&] { return cdr::testing::RunProgram({"cmp", "-s", disk_.string(), replica_.string()}).exit_code == 0; },
        std::chrono::seconds(60)))
        << "the replica never caught up with round " << seed;
    Instant at{Rfc3339Now(), cdr::testing::FileSha256(disk_)};
    // The next round's writes must be stamped after this instant.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return at;
  }

  // The content of the DR host's (first) disk, read through its NBD export.
  std::string DrDiskHash(const json& dr) {
    EXPECT_EQ(dr["nbd_uris"].size(), 1u) << dr.dump(2);
    if (dr["nbd_uris"].empty()) return "";
    const fs::path out = tmp_ / "dr.img";
    fs::remove(out);
    auto copied = cdr::testing::RunProgram({"nbdcopy", dr["nbd_uris"][0].get<std::string>(), out.string()});
    EXPECT_EQ(copied.exit_code, 0) << copied.err;
    return cdr::testing::FileSha256(out);
  }

  static std::string DrillTable(const std::string& point, const std::string& verify) {
    return "\n[group.server.drill]\nname = \"web1-drill\"\nrecovery_point = \"" + point + "\"\nverify = '" + verify +
           "'\n";
  }
  static std::string HashCheck(const std::string& hash) {
    return "command:test \"$(sha256sum < \"$CDR_DISK\" | cut -c1-64)\" = \"" + hash + "\"";
  }
  static std::string FailoverTable(const std::string& point, bool confirm) {
    return std::string("\n[group.server.failover]\nname = \"web1-dr\"\nip = \"10.0.1.5\"\nrecovery_point = \"") +
           point + "\"\nconfirm = " + (confirm ? "true" : "false") + "\n";
  }

  void StartReplicating() {
    RunResult applied = Apply("");
    ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
    json server = Server();
    ASSERT_EQ(server["state"], "realtime") << server.dump(2);
    uri_ = server["nbd_uris"][0];
    replica_ = server["replicas"][0]["path"].get<std::string>();
  }

  CdrWorkspace ws_;
  cdr::testing::TempDir tmp_;
  fs::path disk_, replica_;
  std::string uri_;
};

TEST_F(DrillFailoverTest, DrillsShowExactlyThePrimaryAtEachInstantWhileReplicationGoesOn) {
  ASSERT_NO_FATAL_FAILURE(StartReplicating());
  // The freshly synced ext4 filesystem, checked by the drill's own fsck verification.
  RunResult fsck = Apply(DrillTable("latest", "fsck"));
  ASSERT_EQ(fsck.exit_code, 0) << fsck.out << fsck.err;
  json dr = Server()["dr_hosts"][0];
  EXPECT_EQ(dr["verification"]["result"], "passed") << dr.dump(2);
  ASSERT_EQ(Apply("").exit_code, 0);  // clear it

  std::vector<Instant> instants;
  for (unsigned seed : {1u, 2u, 3u}) instants.push_back(WriteRound(seed));
  for (size_t i = 0; i < instants.size(); ++i) {
    RunResult drill = Apply(DrillTable(instants[i].time, HashCheck(instants[i].hash)));
    ASSERT_EQ(drill.exit_code, 0) << "instant " << i << " (" << instants[i].time << ")\n" << drill.out << drill.err;
    dr = Server()["dr_hosts"][0];
    EXPECT_EQ(dr["purpose"], "drill");
    EXPECT_EQ(dr["verification"]["result"], "passed") << dr.dump(2);
    EXPECT_EQ(DrDiskHash(dr), instants[i].hash) << "drill at " << instants[i].time;
  }
  // Replication is not disturbed by the drill: a new round reaches the replica and the RPO stays low.
  WriteRound(4);
  json server = Server();
  EXPECT_EQ(server["state"], "realtime");
  ASSERT_TRUE(server["rpo_seconds"].is_number()) << server.dump(2);
  EXPECT_LT(server["rpo_seconds"].get<double>(), 5.0);

  RunResult points = ws_.Cdr({"recovery-points", "web-prod/web-1", "--json"});
  ASSERT_EQ(points.exit_code, 0) << points.err;
  json listed = json::parse(points.out);
  EXPECT_FALSE(listed["points"].empty()) << points.out;  // one a second while writing
  EXPECT_GT(listed["window"]["end_ns"].get<int64_t>(), listed["window"]["start_ns"].get<int64_t>());
  // The base image and the log of what was written hold space on the shadow host.
  EXPECT_GT(listed["history_bytes"].get<uint64_t>(), 0u) << points.out;

  // Failover is refused while the drill is up, and says what to do.
  ws_.WriteSpec("web.toml", GroupSpec(1, 30, "running") + FailoverTable("latest", false));
  RunResult refused = ws_.Cdr({"plan"});
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("failover is allowed only with no drill"), std::string::npos) << refused.err;

  RunResult cleared = Apply("");
  ASSERT_EQ(cleared.exit_code, 0) << cleared.out << cleared.err;
  EXPECT_TRUE(Server()["dr_hosts"].empty());
}

TEST_F(DrillFailoverTest, FailoverChangeRecoveryPointAndConfirm) {
  ASSERT_NO_FATAL_FAILURE(StartReplicating());
  std::vector<Instant> instants;
  for (unsigned seed : {5u, 6u}) instants.push_back(WriteRound(seed));
  const json before = Server();
  const fs::path shadow_dir = fs::path(before["replica_dir"].get<std::string>()).parent_path();
  ASSERT_TRUE(fs::exists(shadow_dir));

  RunResult failover = Apply(FailoverTable(instants[0].time, false));
  ASSERT_EQ(failover.exit_code, 0) << failover.out << failover.err;
  json server = Server();
  EXPECT_EQ(server["state"], "failed_over");
  EXPECT_EQ(DrDiskHash(server["dr_hosts"][0]), instants[0].hash);
  // The failover's event names what the DR host is up at (a time between points: the instant).
  RunResult events = ws_.Cdr({"jobs", "--events"});
  EXPECT_NE(events.out.find(" is up at the instant 20"), std::string::npos) << events.out;

  RunResult changed = Apply(FailoverTable(instants[1].time, false));
  ASSERT_EQ(changed.exit_code, 0) << changed.out << changed.err;
  EXPECT_NE(changed.out.find("change_recovery_point"), std::string::npos) << changed.out;
  server = Server();
  EXPECT_EQ(server["state"], "failed_over");
  EXPECT_EQ(DrDiskHash(server["dr_hosts"][0]), instants[1].hash);

  ws_.WriteSpec("web.toml", GroupSpec(1, 30, "running") + "recovery_points = { every_seconds = 1, keep = 1000 }\n" +
                                FailoverTable(instants[1].time, true));
  RunResult plan = ws_.Cdr({"plan"});
  EXPECT_NE(plan.out.find("destroyed with its replicas and ALL recovery points"), std::string::npos) << plan.out;
  RunResult confirmed = ws_.Cdr({"apply", "-auto-approve", "-wait-timeout=60"});
  ASSERT_EQ(confirmed.exit_code, 0) << confirmed.out << confirmed.err;
  server = Server();
  EXPECT_EQ(server["state"], "failover_confirmed");
  EXPECT_TRUE(server["shadow_host_id"].get<std::string>().empty());
  EXPECT_FALSE(fs::exists(shadow_dir)) << "the shadow host's replicas and history are deleted";
  EXPECT_EQ(server["dr_hosts"][0]["standalone"], true);
  EXPECT_EQ(DrDiskHash(server["dr_hosts"][0]), instants[1].hash) << "the standalone disk keeps the content";
  RunResult again = ws_.Cdr({"plan", "-detailed-exitcode"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
}

// A group-consistent point: one instant, one id, on every server of the group; a drill can be brought up at it.
TEST(GroupRecoveryPointTest, TakeMakesOnePointOnEveryServerOfTheGroup) {
  CdrWorkspace ws;
  ASSERT_EQ(ws.Cdr({"local", "init", "--hosts", "2", "--disk-size-mib", "16"}).exit_code, 0);
  ws.WriteSpec("web.toml", GroupSpec(2, 30, "running"));
  RunResult applied = ws.Cdr({"apply", "-auto-approve", "-wait-timeout=60"});
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;

  // Only web-2 changes before the point, so the group's size for it is web-2's alone, not the first server's.
  // The last 256 KiB of the 16 MiB disk: free space of its ext4, so the drill's fsck below still passes.
  const json web2 = StatusJson(ws)["groups"][0]["servers"][1];
  const std::string uri = web2["nbd_uris"][0];
  std::vector<std::string> qemu_io = {"qemu-io", "-c", "write -P 0x5a 15872k 256k"};
  for (const std::string& arg : cdr::testing::QemuImageArgs(uri)) qemu_io.push_back(arg);
  const cdr::testing::RunResult wrote = cdr::testing::RunProgram(qemu_io);
  ASSERT_EQ(wrote.exit_code, 0) << wrote.out << wrote.err;
  const std::string disk = (ws.cloud() / "zones" / "az1" / "disks" / "host-2-vda.img").string();
  const std::string replica = web2["replicas"][0]["path"];
  ASSERT_TRUE(cdr::testing::PollUntil(
      [&] { return cdr::testing::RunProgram({"cmp", "-s", disk, replica}).exit_code == 0; },
      std::chrono::seconds(60)));

  RunResult taken = ws.Cdr({"recovery-points", "web-prod", "--take", "--json"});
  ASSERT_EQ(taken.exit_code, 0) << taken.out << taken.err;
  const json group = json::parse(taken.out);
  const std::string id = group["taken"];
  EXPECT_EQ(id.rfind("rp-", 0), 0u) << id;
  bool listed = false;
  for (const auto& p : group["points"]) listed |= p["id"] == id && p["kind"] == "manual";
  EXPECT_TRUE(listed) << taken.out;
  ASSERT_EQ(group["servers"].size(), 2u);
  uint64_t bytes_on_servers = 0;
  for (const char* server : {"web-prod/web-1", "web-prod/web-2"}) {
    RunResult one = ws.Cdr({"recovery-points", server, "--json"});
    ASSERT_EQ(one.exit_code, 0) << one.err;
    bool has = false;
    const json listed_here = json::parse(one.out);
    for (const auto& p : listed_here["points"]) {
      if (p["id"] != id) continue;
      has = true;
      bytes_on_servers += p["bytes"].get<uint64_t>();
    }
    EXPECT_TRUE(has) << server << ": " << one.out;
  }
  uint64_t group_bytes = 0;
  for (const auto& p : group["points"]) {
    if (p["id"] == id) group_bytes = p["bytes"];
  }
  EXPECT_GE(bytes_on_servers, 256u << 10);
  EXPECT_EQ(group_bytes, bytes_on_servers) << taken.out;

  ws.WriteSpec("web.toml", GroupSpec(2, 30, "running") + "\n[group.server.drill]\nname = \"web2-drill\"\n"
                                                        "recovery_point = \"" + id + "\"\nverify = \"fsck\"\n");
  RunResult drill = ws.Cdr({"apply", "-auto-approve", "-wait-timeout=60"});
  ASSERT_EQ(drill.exit_code, 0) << drill.out << drill.err;
  RunResult status = ws.Cdr({"status", "--json"});
  const json servers = json::parse(status.out)["groups"][0]["servers"];
  ASSERT_EQ(servers[1]["dr_hosts"].size(), 1u) << status.out;
  EXPECT_EQ(servers[1]["dr_hosts"][0]["point_id"], id);
  EXPECT_EQ(servers[1]["dr_hosts"][0]["verification"]["result"], "passed");
}

}  // namespace
}  // namespace cdr::e2e
