// Acceptance of issue #4 with a real filesystem: ext4 workloads give e2fsck-clean disks at every recovery
// point. The local cloud's host disk is ext4 (mkfs.ext4 at `cdr local init`); rounds of file writes, mkdirs
// and removals go THROUGH the agent (nbdfuse on its NBD export, debugfs -w on the fuse file), each round
// closing its debugfs session so the filesystem is consistent. After each round the primary's hash is
// recorded at an instant, and the test waits for a scheduled recovery point inside the quiet time after the
// round. Then a drill with verify = "fsck" is brought up at every recorded instant and every such point id:
// it must pass, and the drill disk read back over NBD must hold exactly the recorded content.
//
// Only points taken between rounds are drilled: debugfs writes without ext4's journal, so a point in the
// middle of a debugfs session is crash-consistent at the block level but not a clean filesystem, and e2fsck
// would rightly complain there.
#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/agent/nbdfuse_mount.h"
#include "tests/e2e/cdr_workspace.h"
#include "tests/e2e/status_json.h"
#include "tests/support/process_test_util.h"

namespace cdr::e2e {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;
using cdr::agent::testing::MissingFuseTools;
using cdr::agent::testing::NbdfuseMount;

// A moment as an RFC 3339 time with milliseconds in UTC, and the same moment in ns (truncated to the ms
// shown, so a drill at the string sees exactly what was written up to the ns value).
struct Moment {
  std::string rfc3339;
  int64_t ns = 0;
};

Moment Now() {
  const auto now = std::chrono::system_clock::now();
  const int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms % 1000));
  return {out, ms * 1'000'000};
}

// debugfs exits 0 even when a command of its script fails; it says so on stderr, after its version banner.
std::string DebugfsErrors(const std::string& err) {
  std::string errors;
  size_t start = 0;
  while (start < err.size()) {
    size_t end = err.find('\n', start);
    if (end == std::string::npos) end = err.size();
    const std::string line = err.substr(start, end - start);
    if (!line.empty() && line.rfind("debugfs ", 0) != 0) errors += line + "\n";
    start = end + 1;
  }
  return errors;
}

bool ReportsFailedVerification(const json& drift_report) {
  if (!drift_report.is_object() || !drift_report.contains("drifted")) return false;
  for (const json& item : drift_report["drifted"]) {
    if (item.value("problem", "") == "drill_verification_failed") return true;
  }
  return false;
}

// What the primary held after one round, and the scheduled point taken in the quiet time that followed it.
struct RoundRecord {
  int round = 0;
  Moment at;
  std::string hash;
  std::string point_id;
};

class RecoveryPointsExt4Test : public ::testing::Test {
 protected:
  void Init(int disk_mib) {
    RunResult init = ws_.Cdr({"local", "init", "--hosts", "1", "--disk-size-mib", std::to_string(disk_mib)});
    ASSERT_EQ(init.exit_code, 0) << init.out << init.err;
    disk_ = ws_.cloud() / "zones" / "az1" / "disks" / "host-1-vda.img";
    ASSERT_TRUE(fs::exists(disk_)) << "the local cloud did not create the host disk " << disk_;
  }

  RunResult Apply(const std::string& tables) {
    ws_.WriteSpec("web.toml", GroupSpec(1, 30, "running") +
                                  "recovery_points = { every_seconds = 1, keep = 1000 }\n" + tables);
    return ws_.Cdr({"apply", "-auto-approve", "-wait-timeout=60"});
  }

  json Server() { return StatusOfFirstServer(ws_); }

  json Drill() {
    json server = Server();
    if (!server.contains("dr_hosts") || server["dr_hosts"].size() != 1) {
      ADD_FAILURE() << "expected one DR host in `cdr status --json`: " << server.dump(2);
      return json::object();
    }
    return server["dr_hosts"][0];
  }

  void StartReplicating() {
    RunResult applied = Apply("");
    ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
    json server = Server();
    ASSERT_EQ(server["state"], "realtime") << server.dump(2);
    ASSERT_FALSE(server["nbd_uris"].empty()) << server.dump(2);
    uri_ = server["nbd_uris"][0];
    replica_ = server["replicas"][0]["path"].get<std::string>();
  }

  static std::string DrillTable(const std::string& point, const std::string& verify) {
    return "\n[group.server.drill]\nname = \"web1-drill\"\nrecovery_point = \"" + point + "\"\nverify = '" +
           verify + "'\n";
  }

  // The scheduled points `cdr recovery-points` lists now.
  std::vector<json> ScheduledPoints() {
    RunResult r = ws_.Cdr({"recovery-points", "web-prod/web-1", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    json listed = json::parse(r.out, nullptr, false);
    std::vector<json> points;
    if (listed.is_discarded() || !listed["points"].is_array()) {
      ADD_FAILURE() << "unexpected `cdr recovery-points --json` output: " << r.out << r.err;
      return points;
    }
    for (const json& p : listed["points"]) {
      if (p.value("kind", "") == "scheduled") points.push_back(p);
    }
    return points;
  }

  // One round of filesystem work through the agent's NBD export, in a single debugfs session that ends before
  // the export is unmounted: new directories, new files of random content, and the removal of a file of the
  // previous round.
  void WriteRound(int round) {
    const std::string dir = "round" + std::to_string(round);
    std::ofstream script(tmp_ / "debugfs.cmds");
    script << "mkdir " << dir << "\nmkdir " << dir << "/sub\n";
    const std::vector<std::pair<std::string, size_t>> files = {
        {dir + "/data.bin", static_cast<size_t>(round) * (384 << 10)},
        {dir + "/sub/log.txt", 20000 + static_cast<size_t>(round) * 1234},
        {dir + "/note.txt", 700}};
    for (size_t i = 0; i < files.size(); ++i) {
      const fs::path source = Source(round, i);
      cdr::testing::WriteRandomFile(source, files[i].second, static_cast<unsigned>(round * 10 + i));
      script << "write " << source.string() << " " << files[i].first << "\n";
    }
    if (round > 1) script << "rm round" << round - 1 << "/note.txt\n";
    script.close();

    NbdfuseMount mount(tmp_ / "mnt", uri_, fs::file_size(disk_), tmp_.path());
    if (mount.sandbox_refused()) GTEST_SKIP() << "nbdfuse cannot mount in this sandbox: " << mount.log();
    ASSERT_TRUE(mount.mounted()) << "nbdfuse did not expose " << uri_ << ": " << mount.log();
    cdr::testing::RunResult wrote = cdr::testing::RunProgram(
        {"debugfs", "-w", "-f", (tmp_ / "debugfs.cmds").string(), mount.file().string()});
    ASSERT_EQ(wrote.exit_code, 0) << wrote.out << wrote.err;
    ASSERT_EQ(DebugfsErrors(wrote.err), "") << "round " << round << ": a debugfs command failed";
    mount.Unmount();
  }

  fs::path Source(int round, size_t file) const {
    return tmp_ / ("src-" + std::to_string(round) + "-" + std::to_string(file));
  }

  // Waits until the replica is the primary, notes the instant and the primary's content, then waits for a
  // scheduled point after that instant: nothing is written in between, so that point holds the same content.
  RoundRecord Settle(int round) {
    RoundRecord record;
    record.round = round;
    EXPECT_TRUE(cdr::testing::PollUntil(
        [&] {
          return cdr::testing::RunProgram({"cmp", "-s", disk_.string(), replica_.string()}).exit_code == 0;
        },
        std::chrono::seconds(60)))
        << "the replica never caught up with round " << round;
    record.hash = cdr::testing::FileSha256(disk_);
    record.at = Now();
    EXPECT_TRUE(PollUntil(
        [&] {
          for (const json& p : ScheduledPoints()) {
            if (p.value("time_ns", int64_t{0}) >= record.at.ns) {
              record.point_id = p.value("id", "");
              return true;
            }
          }
          return false;
        },
        std::chrono::seconds(30)))
        << "no scheduled recovery point after round " << round << " (" << record.at.rfc3339 << ")";
    EXPECT_EQ(cdr::testing::FileSha256(disk_), record.hash) << "the primary changed while nothing was writing";
    return record;
  }

  // The drill disk, read back through its NBD export.
  fs::path ReadDrillDisk(const json& drill) {
    const fs::path out = tmp_ / "drill.img";
    fs::remove(out);
    if (!drill.contains("nbd_uris") || drill["nbd_uris"].empty()) {
      ADD_FAILURE() << "the drill DR host has no NBD URI: " << drill.dump(2);
      return out;
    }
    cdr::testing::RunResult copied =
        cdr::testing::RunProgram({"nbdcopy", drill["nbd_uris"][0].get<std::string>(), out.string()});
    EXPECT_EQ(copied.exit_code, 0) << copied.err;
    return out;
  }

  // The sha256 of `path` as debugfs reads it from the ext4 filesystem in `image`, or "missing".
  std::string FileIn(const fs::path& image, const std::string& path) {
    const fs::path dumped = tmp_ / "dumped";
    fs::remove(dumped);
    cdr::testing::RunResult dump =
        cdr::testing::RunProgram({"debugfs", "-R", "dump " + path + " " + dumped.string(), image.string()});
    EXPECT_EQ(dump.exit_code, 0) << dump.err;
    if (dump.err.find("File not found") != std::string::npos) return "missing";
    EXPECT_EQ(DebugfsErrors(dump.err), "") << "dump " << path;
    return cdr::testing::FileSha256(dumped);
  }

  // The drill at the end of `round` has that round's files, not the next round's, and not the file it
  // removed.
  void ExpectRoundContent(const fs::path& image, int round, const std::string& where) {
    const std::string dir = "round" + std::to_string(round);
    EXPECT_EQ(FileIn(image, dir + "/data.bin"), cdr::testing::FileSha256(Source(round, 0))) << where;
    EXPECT_EQ(FileIn(image, dir + "/sub/log.txt"), cdr::testing::FileSha256(Source(round, 1))) << where;
    EXPECT_EQ(FileIn(image, dir + "/note.txt"), cdr::testing::FileSha256(Source(round, 2))) << where;
    EXPECT_EQ(FileIn(image, "round" + std::to_string(round + 1) + "/data.bin"), "missing")
        << where << ": a file of the next round is there";
    if (round > 1) {
      EXPECT_EQ(FileIn(image, "round" + std::to_string(round - 1) + "/note.txt"), "missing")
          << where << ": the file this round removed is still there";
    }
  }

  CdrWorkspace ws_;
  cdr::testing::TempDir tmp_;
  fs::path disk_, replica_;
  std::string uri_;
};

TEST_F(RecoveryPointsExt4Test, EveryRecordedInstantAndScheduledPointIsAnE2fsckCleanDrill) {
  if (const std::string missing = MissingFuseTools(); !missing.empty()) GTEST_SKIP() << missing;
  ASSERT_NO_FATAL_FAILURE(Init(64));
  ASSERT_NO_FATAL_FAILURE(StartReplicating());

  std::vector<RoundRecord> rounds;
  for (int round = 1; round <= 3; ++round) {
    WriteRound(round);
    if (IsSkipped() || HasFatalFailure()) return;
    rounds.push_back(Settle(round));
    ASSERT_FALSE(HasFailure()) << "round " << round;
  }
  for (size_t i = 1; i < rounds.size(); ++i) {
    ASSERT_NE(rounds[i].hash, rounds[i - 1].hash) << "round " << rounds[i].round << " changed nothing";
  }

  for (const RoundRecord& r : rounds) {
    for (const std::string& point : {r.at.rfc3339, r.point_id}) {
      const std::string where = "drill at " + point + " (after round " + std::to_string(r.round) + ")";
      RunResult drill = Apply(DrillTable(point, "fsck"));
      ASSERT_EQ(drill.exit_code, 0) << where << "\n" << drill.out << drill.err;
      json dr = Drill();
      EXPECT_EQ(dr["purpose"], "drill") << where << ": " << dr.dump(2);
      EXPECT_EQ(dr["verification"]["kind"], "fsck") << where << ": " << dr.dump(2);
      EXPECT_EQ(dr["verification"]["result"], "passed") << where << ": " << dr.dump(2);
      const fs::path image = ReadDrillDisk(dr);
      EXPECT_EQ(cdr::testing::FileSha256(image), r.hash) << where << ": the drill disk is not the primary as it was then";
      ExpectRoundContent(image, r.round, where);
    }
  }

  RunResult cleared = Apply("");
  ASSERT_EQ(cleared.exit_code, 0) << cleared.out << cleared.err;
  EXPECT_TRUE(Server()["dr_hosts"].empty()) << Server().dump(2);
}

TEST_F(RecoveryPointsExt4Test, AFailedVerificationFailsTheApplyAndIsReportedAsDrift) {
  ASSERT_NO_FATAL_FAILURE(Init(16));
  ASSERT_NO_FATAL_FAILURE(StartReplicating());

  RunResult drill = Apply(DrillTable("latest", "command:false"));
  EXPECT_NE(drill.exit_code, 0) << "a drill whose check fails must fail the apply\n"
                                << drill.out << drill.err;
  json dr = Drill();
  EXPECT_EQ(dr["verification"]["kind"], "command") << dr.dump(2);
  EXPECT_EQ(dr["verification"]["result"], "failed") << dr.dump(2);

  RunResult drift = ws_.Cdr({"drift", "--json"});
  EXPECT_EQ(drift.exit_code, 2) << drift.out << drift.err;
  json report = json::parse(drift.out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << drift.out << drift.err;
  EXPECT_TRUE(ReportsFailedVerification(report)) << drift.out;
  RunResult text = ws_.Cdr({"drift"});
  EXPECT_EQ(text.exit_code, 2) << text.out << text.err;
  EXPECT_NE(text.out.find("drill_verification_failed"), std::string::npos) << text.out;

  RunResult cleared = Apply("");
  ASSERT_EQ(cleared.exit_code, 0) << cleared.out << cleared.err;
  EXPECT_TRUE(Server()["dr_hosts"].empty());
  // Other drift (a recovery point a little late on a busy machine) is not this test's business.
  RunResult after = ws_.Cdr({"drift", "--json"});
  ASSERT_NE(after.exit_code, 1) << after.out << after.err;
  EXPECT_FALSE(ReportsFailedVerification(json::parse(after.out, nullptr, false)))
      << "clearing the drill clears its failed verification\n"
      << after.out;
}

}  // namespace
}  // namespace cdr::e2e
