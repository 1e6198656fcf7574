// `cdr verify` and `cdr status` on the online verify, through the local cloud's real agent and shadow host: a
// whole-disk round says "same" (exit 0); a block of the replica damaged behind cdr's back is found (exit 2, the disk
// and the byte named), `cdr status` shows it, replication repairs it, and the next `cdr verify` says "same" again;
// an address that names no server is refused.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/e2e/cdr_workspace.h"
#include "tests/e2e/status_json.h"
#include "tests/support/process_test_util.h"

namespace cdr::e2e {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

TEST(OnlineVerifyCliE2eTest, VerifyFindsADamagedReplicaThatTheRepairFixes) {
  CdrWorkspace ws;
  ASSERT_EQ(ws.Cdr({"local", "init", "--hosts", "1", "--disk-size-mib", "16"}).exit_code, 0);
  ws.WriteSpec("web.toml", GroupSpec(1, 30, "running"));
  RunResult applied = ws.Cdr({"apply", "-auto-approve", "-wait-timeout=60"});
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  json server = StatusOfFirstServer(ws);
  ASSERT_EQ(server["state"], "realtime") << server.dump(2);
  EXPECT_EQ(server["online_verify"]["outcome"], "unknown") << server.dump(2);
  const fs::path replica = server["replicas"][0]["path"].get<std::string>();
  const fs::path disk = ws.cloud() / "zones" / "az1" / "disks" / "host-1-vda.img";

  RunResult same = ws.Cdr({"verify"});
  EXPECT_EQ(same.exit_code, 0) << same.out << same.err;
  EXPECT_NE(same.out.find("group.web-prod.server.web-1"), std::string::npos) << same.out;
  EXPECT_NE(same.out.find(" same "), std::string::npos) << same.out;
  EXPECT_NE(same.out.find("16.0 MiB"), std::string::npos) << same.out;
  EXPECT_EQ(StatusOfFirstServer(ws)["online_verify"]["outcome"], "same");

  constexpr off_t kDamaged = 9 << 20;
  {
    const int fd = ::open(replica.c_str(), O_WRONLY);
    ASSERT_GE(fd, 0) << replica;
    const std::vector<char> junk(4096, 'Z');
    ASSERT_EQ(::pwrite(fd, junk.data(), junk.size(), kDamaged), 4096);
    ::close(fd);
  }
  RunResult found = ws.Cdr({"verify", "group.web-prod", "--json"});
  EXPECT_EQ(found.exit_code, 2) << found.out << found.err;
  const json report = json::parse(found.out, nullptr, false);
  ASSERT_TRUE(report.is_object()) << found.out;
  const json& d = report["servers"][0]["disks"][0];
  EXPECT_EQ(d["disk"], "vda");
  EXPECT_EQ(d["outcome"], "differs") << d.dump();
  EXPECT_EQ(d["difference_offset"].get<uint64_t>(), static_cast<uint64_t>(kDamaged)) << d.dump();

  // Replication repaired it: realtime again, the replica equal to the disk, and a new round agrees.
  ASSERT_TRUE(PollUntil(
      [&] {
        return StatusOfFirstServer(ws)["state"] == "realtime" &&
               cdr::testing::RunProgram({"cmp", "-s", disk.string(), replica.string()}).exit_code == 0;
      },
      std::chrono::seconds(60)))
      << StatusOfFirstServer(ws).dump(2);
  server = StatusOfFirstServer(ws);
  EXPECT_EQ(server["online_verify"]["outcome"], "differs") << "the newest round's word until the next one";
  RunResult drift = ws.Cdr({"drift", "--json"});
  EXPECT_EQ(drift.exit_code, 2) << drift.out << drift.err;
  EXPECT_NE(drift.out.find("replica_differs"), std::string::npos) << drift.out;
  EXPECT_EQ(server["online_verify"]["differences"], 1);
  RunResult again = ws.Cdr({"verify", "group.web-prod.server.web-1"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_EQ(StatusOfFirstServer(ws)["online_verify"]["outcome"], "same");
  drift = ws.Cdr({"drift", "--json"});
  EXPECT_EQ(drift.out.find("replica_differs"), std::string::npos) << drift.out;

  RunResult unknown = ws.Cdr({"verify", "group.nope"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("group.nope"), std::string::npos) << unknown.err;
}

}  // namespace
}  // namespace cdr::e2e
