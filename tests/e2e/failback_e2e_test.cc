// Failback end to end (issue #10): real cdr-agent, cdr-shadow and cdr-dr-disk processes on 127.0.0.1.
//  - Reverse registration alone (replication = "stopped" holds the failback there): a cdr-agent fronts the DR
//    host's standalone disks, its NBD export is the DR host's, it survives `cdr local down`/`up`, and
//    production stays fenced meanwhile.
//  - The round trip: protect → ext4 files written through the agent → failover → confirm → more files on the
//  DR
//    host → failback (reverse replication into production's own disk, compare first) → production equals the
//    DR host, e2fsck clean, takes writes again → tables removed: protected again from replicas seeded with
//    the DR host's disks. Both directions send about what changed, never the disk.
//  - kill -9 of the receiver, of the reverse agent, then of both together during reverse realtime: the next
//  apply
//    resumes each time.
//  - A link cut and a kill -9 of the reverse agent while a new production host is filled: the next apply
//  resumes.
//  - The same round trip to a new production host (restore_to_original = false): launched empty, filled by a
//  full
//    sync, the server's host from then on, protected again from replicas seeded with the DR host's disks.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <signal.h>

#include <filesystem>
#include <fstream>

#include "common/digest.h"
#include "tests/agent/nbdfuse_mount.h"
#include "tests/e2e/cdr_workspace.h"
#include "tests/e2e/status_json.h"
#include "tests/support/process_test_util.h"

namespace cdr::e2e {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
namespace fs = std::filesystem;
using cdr::agent::testing::MissingFuseTools;
using cdr::agent::testing::NbdfuseMount;

constexpr char kConfirmed[] = "\n[group.server.failover]\nname = \"web1-dr\"\nip = \"10.0.1.5\"\nconfirm = true\n";
constexpr char kFailback[] = "\n[group.server.failback]\nrestore_to_original = true\n";

class FailbackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(ws_.Cdr({"local", "init", "--hosts", "1", "--disk-size-mib", "16"}).exit_code, 0);
  }

  static std::string Spec(const std::string& tables, const std::string& replication = "running") {
    return GroupSpec(1, 30, replication) + tables;
  }

  RunResult Apply(const std::string& spec) {
    ws_.WriteSpec("web.toml", spec);
    return ws_.Cdr({"apply", "-auto-approve", "-wait-timeout=60"});
  }

  json Server() { return StatusOfFirstServer(ws_); }

  cdr::testing::RunResult WriteTo(const std::string& uri, unsigned seed) {
    cdr::testing::WriteRandomFile(tmp_ / "data.bin", 1 << 20, seed);
    return cdr::testing::RunProgram({"nbdcopy", (tmp_ / "data.bin").string(), uri});
  }

  // New files (random content) and directories written into the ext4 on `uri` in one debugfs session, through
  // nbdfuse: real filesystem writes over the export's NBD.
  void WriteFiles(const std::string& uri, const std::string& dir, unsigned seed) {
    const fs::path script = tmp_ / ("debugfs-" + dir);
    std::string commands = "mkdir " + dir + "\n";
    for (unsigned i = 0; i < 3; ++i) {
      const fs::path source = tmp_ / (dir + "-" + std::to_string(i));
      cdr::testing::WriteRandomFile(source, (i + 1) * (200 << 10), seed * 10 + i);
      commands += "write " + source.string() + " " + dir + "/file" + std::to_string(i) + "\n";
    }
    { std::ofstream(script) << commands; }
    NbdfuseMount mount(tmp_ / "mnt", uri, 32 << 20, tmp_.path());
    ASSERT_TRUE(mount.mounted()) << "nbdfuse did not expose " << uri << ": " << mount.log();
    cdr::testing::RunResult wrote =
        cdr::testing::RunProgram({"debugfs", "-w", "-f", script.string(), mount.file().string()});
    ASSERT_EQ(wrote.exit_code, 0) << wrote.out << wrote.err;
    mount.Unmount();
  }

  // Bytes of the 4 KiB blocks that differ between two images of the same size.
  static uint64_t DifferingBytes(const fs::path& a, const fs::path& b) {
    const std::string x = cdr::testing::ReadFile(a);
    const std::string y = cdr::testing::ReadFile(b);
    EXPECT_EQ(x.size(), y.size());
    uint64_t bytes = 0;
    for (size_t off = 0; off < std::min(x.size(), y.size()); off += 4096) {
      if (x.compare(off, 4096, y, off, 4096) != 0) bytes += 4096;
    }
    return bytes;
  }

  static bool Same(const fs::path& a, const fs::path& b) {
    return cdr::testing::RunProgram({"cmp", "-s", a.string(), b.string()}).exit_code == 0;
  }

  // The bound: what a direction sends is at most 1.1 x the changed blocks + 1 % of the disk.
  static uint64_t Bound(uint64_t changed) { return changed + changed / 10 + (32 << 20) / 100; }

  fs::path Production() const { return ws_.cloud() / "zones" / "az1" / "disks" / "host-1-vda.img"; }

  // kill -9 of the process a cloud record names, waiting until it is gone (not even a zombie).
  void Kill9(const fs::path& record) {
    const json j = json::parse(cdr::testing::ReadFile(record), nullptr, false);
    ASSERT_TRUE(j.is_object() && j.contains("pid")) << record;
    const pid_t pid = j["pid"].get<pid_t>();
    ASSERT_GT(pid, 0);
    ASSERT_EQ(::kill(pid, SIGKILL), 0) << record;
    const fs::path stat = fs::path("/proc") / std::to_string(pid) / "stat";
    ASSERT_TRUE(cdr::testing::PollUntil(
        [&] {
          const std::string text = cdr::testing::ReadFile(stat);
          const size_t paren = text.rfind(')');
          return text.empty() || (paren != std::string::npos && text.substr(paren + 2, 1) == "Z");
        },
        std::chrono::seconds(10)));
  }

  CdrWorkspace ws_;
  cdr::testing::TempDir tmp_;
};

class FailbackRoundTripTest : public FailbackTest {
 protected:
  void SetUp() override {
    if (std::string why = MissingFuseTools(); !why.empty()) GTEST_SKIP() << why;
    ASSERT_EQ(ws_.Cdr({"local", "init", "--hosts", "1", "--disk-size-mib", "32"}).exit_code, 0);
  }
};

TEST_F(FailbackTest, ReverseRegistrationPutsAnAgentInFrontOfTheDrHostsDisks) {
  RunResult protect = Apply(Spec(""));
  ASSERT_EQ(protect.exit_code, 0) << protect.out << protect.err;
  const std::string production_uri = Server()["nbd_uris"][0];
  ASSERT_EQ(WriteTo(production_uri, 1).exit_code, 0);
  RunResult confirmed = Apply(Spec(kConfirmed));
  ASSERT_EQ(confirmed.exit_code, 0) << confirmed.out << confirmed.err;
  ASSERT_EQ(Server()["state"], "failover_confirmed");
  const std::string dr_id = Server()["dr_hosts"][0]["id"];

  // replication = "stopped" holds the failback after its first transition (no reverse replication yet).
  ws_.WriteSpec("web.toml", Spec(std::string(kConfirmed) + kFailback, "stopped"));
  RunResult plan = ws_.Cdr({"plan"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("will be reverse registered"));
  EXPECT_THAT(plan.out, HasSubstr("failover_confirmed → reverse_registering → reverse_initialized"));
  EXPECT_THAT(plan.out, ::testing::Not(HasSubstr("will fail back")));
  RunResult registered = ws_.Cdr({"apply", "-auto-approve", "-wait-timeout=60"});
  ASSERT_EQ(registered.exit_code, 0) << registered.out << registered.err;
  json server = Server();
  EXPECT_EQ(server["state"], "reverse_initialized") << server.dump(2);
  EXPECT_EQ(server["fenced"], true) << "production stays fenced during a failback";
  EXPECT_TRUE(fs::exists(ws_.cloud() / "agents" / dr_id / "agent.json"));

  // The DR host's disks are the reverse agent's export now: its writes land on the DR host's image.
  const std::string dr_uri = server["dr_hosts"][0]["nbd_uris"][0];
  EXPECT_EQ(server["nbd_uris"][0], dr_uri) << "the server's protected side is the DR host now";
  ASSERT_EQ(WriteTo(dr_uri, 2).exit_code, 0);
  const fs::path image = ws_.cloud() / "zones" / "az2" / "dr_hosts" / dr_id / "images" / "vda.img";
  std::string written = cdr::testing::ReadFile(tmp_ / "data.bin");
  std::string head = cdr::testing::ReadFile(image).substr(0, written.size());
  EXPECT_EQ(Sha256Hex(head), Sha256Hex(written));
  EXPECT_NE(WriteTo(production_uri, 3).exit_code, 0) << "production took a write during the failback";

  // A restarted cloud serves the DR host through the same agent again (on a new port, which the server's live
  // status shows), still reverse_initialized.
  ASSERT_EQ(ws_.Cdr({"local", "down"}).exit_code, 0);
  ASSERT_EQ(ws_.Cdr({"local", "up"}).exit_code, 0);
  server = Server();
  EXPECT_EQ(server["state"], "reverse_initialized") << server.dump(2);
  RunResult again = ws_.Cdr({"plan", "-detailed-exitcode"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  ASSERT_EQ(WriteTo(server["nbd_uris"][0], 4).exit_code, 0);
  written = cdr::testing::ReadFile(tmp_ / "data.bin");
  head = cdr::testing::ReadFile(image).substr(0, written.size());
  EXPECT_EQ(Sha256Hex(head), Sha256Hex(written));
}

TEST_F(FailbackTest, Kill9OfTheReceiverOrTheReverseAgentDuringReverseRealtimeIsResumedByTheNextApply) {
  RunResult protect = Apply(Spec(""));
  ASSERT_EQ(protect.exit_code, 0) << protect.out << protect.err;
  ASSERT_EQ(WriteTo(Server()["nbd_uris"][0], 1).exit_code, 0);
  RunResult confirmed = Apply(Spec(kConfirmed));
  ASSERT_EQ(confirmed.exit_code, 0) << confirmed.out << confirmed.err;
  json server = Server();
  const std::string dr_id = server["dr_hosts"][0]["id"];
  const fs::path dr_image = ws_.cloud() / "zones" / "az2" / "dr_hosts" / dr_id / "images" / "vda.img";
  ASSERT_EQ(WriteTo(server["dr_hosts"][0]["nbd_uris"][0], 2).exit_code, 0);

  // cutover = false: reverse replication runs and the failback waits.
  const std::string held = std::string(kConfirmed) + kFailback + "cutover = false\n";
  RunResult reverse = Apply(Spec(held));
  ASSERT_EQ(reverse.exit_code, 0) << reverse.out << reverse.err;
  server = Server();
  ASSERT_EQ(server["state"], "reverse_realtime") << server.dump(2);

  // The receiver (production zone) dies; the DR workload writes on; the next apply restarts and retargets.
  Kill9(ws_.cloud() / "shadows" / (server["shadow_host_id"].get<std::string>() + ".json"));
  ASSERT_EQ(WriteTo(server["nbd_uris"][0], 3).exit_code, 0);
  RunResult resumed = Apply(Spec(held));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  EXPECT_THAT(resumed.out, HasSubstr("retarget_reverse_replication complete"));
  EXPECT_EQ(Server()["state"], "reverse_realtime");

  // The reverse agent dies mid-stream; the next apply starts it again, and it resyncs by itself.
  ASSERT_EQ(WriteTo(Server()["nbd_uris"][0], 4).exit_code, 0);
  Kill9(ws_.cloud() / "agents" / dr_id / "agent.json");
  RunResult restarted = Apply(Spec(held));
  ASSERT_EQ(restarted.exit_code, 0) << restarted.out << restarted.err;
  EXPECT_THAT(restarted.out, HasSubstr("reverse_register complete"));
  ASSERT_TRUE(PollUntil([&] { return Server()["state"] == "reverse_realtime"; }, std::chrono::seconds(60)))
      << Server().dump(2);
  ASSERT_EQ(WriteTo(Server()["nbd_uris"][0], 5).exit_code, 0);

  // Both die together: one apply restarts the receiver (on a new address) and the agent, and points the agent
  // at the receiver's new address; the DR workload's next write reaches production.
  Kill9(ws_.cloud() / "shadows" / (Server()["shadow_host_id"].get<std::string>() + ".json"));
  Kill9(ws_.cloud() / "agents" / dr_id / "agent.json");
  RunResult both = Apply(Spec(held));
  ASSERT_EQ(both.exit_code, 0) << both.out << both.err;
  EXPECT_THAT(both.out, HasSubstr("retarget_reverse_replication complete"));
  ASSERT_TRUE(PollUntil([&] { return Server()["state"] == "reverse_realtime"; }, std::chrono::seconds(60)))
      << Server().dump(2);
  ASSERT_EQ(WriteTo(Server()["nbd_uris"][0], 6).exit_code, 0);

  RunResult failback = Apply(Spec(std::string(kConfirmed) + kFailback));
  ASSERT_EQ(failback.exit_code, 0) << failback.out << failback.err;
  EXPECT_EQ(Server()["state"], "failed_back");
  EXPECT_TRUE(Same(Production(), dr_image)) << "production differs from the DR host after the kills";
  const std::string last = cdr::testing::ReadFile(tmp_ / "data.bin");
  EXPECT_EQ(Sha256Hex(cdr::testing::ReadFile(Production()).substr(0, last.size())), Sha256Hex(last));
}

// A link cut while a new production host is being filled: the receiver is killed as soon as the apply creates it
// (reverse replication starting, or in its full sync): the next apply restarts it and retargets the reverse agent,
// the full sync resumes. Then the reverse agent is killed: the next apply starts it again and it resyncs by itself.
// The failback then leaves the new host equal to the DR host.
TEST_F(FailbackTest, ALinkCutAndKill9OfTheReverseAgentWhileANewHostIsFilledAreResumedByTheNextApply) {
  RunResult protect = Apply(Spec(""));
  ASSERT_EQ(protect.exit_code, 0) << protect.out << protect.err;
  ASSERT_EQ(WriteTo(Server()["nbd_uris"][0], 1).exit_code, 0);
  RunResult confirmed = Apply(Spec(kConfirmed));
  ASSERT_EQ(confirmed.exit_code, 0) << confirmed.out << confirmed.err;
  json server = Server();
  const std::string dr_id = server["dr_hosts"][0]["id"];
  const fs::path dr_image = ws_.cloud() / "zones" / "az2" / "dr_hosts" / dr_id / "images" / "vda.img";
  ASSERT_EQ(WriteTo(server["dr_hosts"][0]["nbd_uris"][0], 2).exit_code, 0);
  EXPECT_EQ(ws_.CountFiles(ws_.cloud() / "shadows"), 0u) << "the confirmed failover left a shadow host";

  const std::string new_host = std::string(kConfirmed) +
                               "\n[group.server.failback]\nrestore_to_original = false\nname = \"web1-new\"\n";
  ws_.WriteSpec("web.toml", Spec(new_host + "cutover = false\n"));
  BackgroundCdr first = ws_.StartCdr({"apply", "-auto-approve", "-wait-timeout=8"});
  fs::path receiver;
  ASSERT_TRUE(PollUntil(
      [&] {
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator(ws_.cloud() / "shadows", ec)) {
          const json j = json::parse(cdr::testing::ReadFile(entry.path()), nullptr, false);
          if (entry.path().extension() == ".json" && j.is_object() && j.value("pid", 0) > 0) receiver = entry.path();
        }
        return !receiver.empty();
      },
      std::chrono::seconds(60)))
      << first.StderrSoFar();
  Kill9(receiver);
  // It times out waiting for reverse realtime, or reached it just before the cut (the XML report tells which).
  const RunResult cut = first.Wait();
  RecordProperty("cut_before_reverse_realtime", cut.exit_code != 0 ? "yes" : "no");
  ASSERT_EQ(WriteTo(Server()["nbd_uris"][0], 3).exit_code, 0) << "the DR host stopped taking writes";

  // The next apply restarts the receiver and points the reverse agent at it: the full sync goes on.
  RunResult resumed = Apply(Spec(new_host + "cutover = false\n"));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  EXPECT_EQ(Server()["state"], "reverse_realtime") << Server().dump(2);

  // The reverse agent dies; the next apply starts it again and it resyncs by itself.
  Kill9(ws_.cloud() / "agents" / dr_id / "agent.json");
  RunResult restarted = Apply(Spec(new_host + "cutover = false\n"));
  ASSERT_EQ(restarted.exit_code, 0) << restarted.out << restarted.err;
  ASSERT_TRUE(PollUntil([&] { return Server()["state"] == "reverse_realtime"; }, std::chrono::seconds(60)))
      << Server().dump(2);
  ASSERT_EQ(WriteTo(Server()["nbd_uris"][0], 4).exit_code, 0);

  RunResult failback = Apply(Spec(new_host));
  ASSERT_EQ(failback.exit_code, 0) << failback.out << failback.err;
  ASSERT_EQ(Server()["state"], "failed_back") << Server().dump(2);
  const fs::path new_disk = ws_.cloud() / "zones" / "az1" / "disks" / "web1-new-vda.img";
  EXPECT_TRUE(Same(new_disk, dr_image)) << "the new host differs from the DR host after the cut and the kills";
  const std::string last = cdr::testing::ReadFile(tmp_ / "data.bin");
  EXPECT_EQ(Sha256Hex(cdr::testing::ReadFile(new_disk).substr(0, last.size())), Sha256Hex(last));
}

TEST_F(FailbackRoundTripTest, ProductionComesHomeWithTheDrHostsDataAndIsProtectedAgainSendingOnlyWhatChanged) {
  RunResult protect = Apply(Spec(""));
  ASSERT_EQ(protect.exit_code, 0) << protect.out << protect.err;
  ASSERT_EQ(Server()["state"], "realtime");
  WriteFiles(Server()["nbd_uris"][0], "before", 1);

  RunResult confirmed = Apply(Spec(kConfirmed));
  ASSERT_EQ(confirmed.exit_code, 0) << confirmed.out << confirmed.err;
  json server = Server();
  ASSERT_EQ(server["state"], "failover_confirmed") << server.dump(2);
  const std::string production_uri = server["nbd_uris"][0];
  EXPECT_NE(WriteTo(production_uri, 3).exit_code, 0) << "production took a write after the failover";
  const std::string dr_id = server["dr_hosts"][0]["id"];
  const fs::path dr_image = ws_.cloud() / "zones" / "az2" / "dr_hosts" / dr_id / "images" / "vda.img";

  // The DR workload writes while it carries the service.
  WriteFiles(server["dr_hosts"][0]["nbd_uris"][0], "on-dr", 2);
  const uint64_t changed_on_dr = DifferingBytes(Production(), dr_image);
  ASSERT_GT(changed_on_dr, 0u);

  ws_.WriteSpec("web.toml", Spec(std::string(kConfirmed) + kFailback));
  RunResult plan = ws_.Cdr({"plan"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("will start reverse replication"));
  EXPECT_THAT(plan.out, HasSubstr("will fail back"));
  RunResult failback = ws_.Cdr({"apply", "-auto-approve", "-wait-timeout=60"});
  ASSERT_EQ(failback.exit_code, 0) << failback.out << failback.err;
  server = Server();
  ASSERT_EQ(server["state"], "failed_back") << server.dump(2);
  EXPECT_EQ(server["fenced"], false);
  EXPECT_TRUE(Same(Production(), dr_image)) << "production differs from the DR host at the failback";
  cdr::testing::RunResult fsck = cdr::testing::RunProgram({"e2fsck", "-fn", Production().string()});
  EXPECT_EQ(fsck.exit_code, 0) << fsck.out << fsck.err;
  const json& home = server["failback"];
  EXPECT_EQ(home.value("reverse_full_sync_bytes_sent", uint64_t{1}), 0u) << home.dump();
  EXPECT_GT(home.value("reverse_repair_bytes_sent", uint64_t{0}), 0u) << home.dump();
  EXPECT_LE(home.value("reverse_bytes_sent", ~uint64_t{0}), Bound(changed_on_dr))
      << "changed on the DR host: " << changed_on_dr << " bytes; " << home.dump();
  // The blocks the DR host's change map marks were sent without a compare; without the map the whole 32 MiB
  // of both disks would have been compared.
  EXPECT_EQ(home.value("reverse_compared_bytes", ~uint64_t{0}), 0u) << home.dump();

  // Production takes writes again, through the same agent.
  const std::string home_uri = server["nbd_uris"][0];
  WriteFiles(home_uri, "home", 3);
  const uint64_t changed_at_home = DifferingBytes(Production(), dr_image);
  const uint64_t sent_before = Server()["bytes_sent"];

  // Both tables removed: production is registered again and protected from replicas seeded with the DR host's
  // disks; the DR host goes.
  ws_.WriteSpec("web.toml", Spec(""));
  plan = ws_.Cdr({"plan"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("will be registered again"));
  EXPECT_THAT(plan.out, HasSubstr("seed"));
  RunResult protect_again = ws_.Cdr({"apply", "-auto-approve", "-wait-timeout=60"});
  ASSERT_EQ(protect_again.exit_code, 0) << protect_again.out << protect_again.err;
  server = Server();
  ASSERT_EQ(server["state"], "realtime") << server.dump(2);
  EXPECT_TRUE(server["dr_hosts"].empty()) << server.dump(2);
  EXPECT_FALSE(fs::exists(ws_.cloud() / "zones" / "az2" / "dr_hosts" / dr_id));
  const uint64_t sent = server["bytes_sent"].get<uint64_t>() - sent_before;
  EXPECT_LE(sent, Bound(changed_at_home)) << "changed at home: " << changed_at_home << " bytes";
  const fs::path replica = server["replicas"][0]["path"].get<std::string>();
  EXPECT_TRUE(cdr::testing::PollUntil([&] { return Same(Production(), replica); }, std::chrono::seconds(30)))
      << "the new replica never matched production";
  EXPECT_EQ(cdr::testing::RunProgram({"e2fsck", "-fn", Production().string()}).exit_code, 0);
}

TEST_F(FailbackRoundTripTest, ANewProductionHostGetsTheDrHostsDataByAFullSyncAndIsProtectedFromSeededReplicas) {
  RunResult protect = Apply(Spec(""));
  ASSERT_EQ(protect.exit_code, 0) << protect.out << protect.err;
  WriteFiles(Server()["nbd_uris"][0], "before", 1);
  RunResult confirmed = Apply(Spec(kConfirmed));
  ASSERT_EQ(confirmed.exit_code, 0) << confirmed.out << confirmed.err;
  json server = Server();
  const std::string old_uri = server["nbd_uris"][0];
  const std::string dr_id = server["dr_hosts"][0]["id"];
  const fs::path dr_image = ws_.cloud() / "zones" / "az2" / "dr_hosts" / dr_id / "images" / "vda.img";
  WriteFiles(server["dr_hosts"][0]["nbd_uris"][0], "on-dr", 2);

  const std::string to_new_host = std::string(kConfirmed) +
                                  "\n[group.server.failback]\nrestore_to_original = false\nname = \"web1-new\"\n";
  ws_.WriteSpec("web.toml", Spec(to_new_host));
  RunResult plan = ws_.Cdr({"plan"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("will launch a new production host"));
  EXPECT_THAT(plan.out, HasSubstr("DR host → the new production host: full sync"));
  RunResult failback = ws_.Cdr({"apply", "-auto-approve", "-wait-timeout=60"});
  ASSERT_EQ(failback.exit_code, 0) << failback.out << failback.err;
  server = Server();
  ASSERT_EQ(server["state"], "failed_back") << server.dump(2);
  EXPECT_EQ(server["host"], "web1-new");
  const fs::path new_disk = ws_.cloud() / "zones" / "az1" / "disks" / "web1-new-vda.img";
  EXPECT_TRUE(Same(new_disk, dr_image)) << "the new host differs from the DR host at the failback";
  cdr::testing::RunResult fsck = cdr::testing::RunProgram({"e2fsck", "-fn", new_disk.string()});
  EXPECT_EQ(fsck.exit_code, 0) << fsck.out << fsck.err;
  EXPECT_GT(server["failback"].value("reverse_full_sync_bytes_sent", uint64_t{0}), 0u) << server["failback"].dump();
  EXPECT_NE(WriteTo(old_uri, 3).exit_code, 0) << "the replaced host's agent still serves its disk";

  const std::string home_uri = server["nbd_uris"][0];
  WriteFiles(home_uri, "home", 3);
  const uint64_t changed_at_home = DifferingBytes(new_disk, dr_image);
  const uint64_t sent_before = Server()["bytes_sent"];

  // Protection again names the new host; its replicas are seeded with the DR host's disks.
  std::string moved = Spec("");
  const std::string old_host = "host = \"host-1\"";
  moved.replace(moved.find(old_host), old_host.size(), "host = \"web1-new\"");
  RunResult refused = Apply(Spec(""));
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_THAT(refused.out + refused.err, HasSubstr("set host = \"web1-new\""));
  RunResult protect_again = Apply(moved);
  ASSERT_EQ(protect_again.exit_code, 0) << protect_again.out << protect_again.err;
  server = Server();
  ASSERT_EQ(server["state"], "realtime") << server.dump(2);
  EXPECT_FALSE(fs::exists(ws_.cloud() / "zones" / "az2" / "dr_hosts" / dr_id));
  const uint64_t sent = server["bytes_sent"].get<uint64_t>() - sent_before;
  EXPECT_LE(sent, Bound(changed_at_home)) << "changed at home: " << changed_at_home << " bytes";
  const fs::path replica = server["replicas"][0]["path"].get<std::string>();
  EXPECT_TRUE(cdr::testing::PollUntil([&] { return Same(new_disk, replica); }, std::chrono::seconds(30)))
      << "the new replica never matched the new host's disk";
  EXPECT_EQ(cdr::testing::RunProgram({"e2fsck", "-fn", new_disk.string()}).exit_code, 0);
}

}  // namespace
}  // namespace cdr::e2e
