// The real cdr-dr-disk against history files written by the test, read and written with real NBD clients.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "common/json_file.h"
#include "common/rfc3339.h"
#include "tests/recovery/history_builder.h"
#include "tests/support/process_test_util.h"
#include "tests/support/tls_test_certs.h"

namespace cdr::recovery {
namespace {

namespace fs = std::filesystem;
using cdr::testing::Child;
using cdr::testing::PollUntil;
using cdr::testing::RunProgram;
using cdr::testing::RunResult;
using testing::DiskHistoryBuilder;
using testing::TestRecord;

// 2026-11-25T01:00:00Z
const uint64_t kBaseTime = 1795568400ull * 1'000'000'000;
uint64_t TimeOf(uint64_t seq) { return kBaseTime + seq * 1'000'000'000ull; }

fs::path DrDiskBinary() { return fs::read_symlink("/proc/self/exe").parent_path() / "cdr-dr-disk"; }

struct DiskModel {
  std::unique_ptr<DiskHistoryBuilder> builder;
  std::vector<uint8_t> base;
  std::vector<TestRecord> records;  // seq base_seq+1 ..
  uint64_t base_seq = 0;
  std::vector<uint8_t> At(uint64_t seq) const {
    std::vector<uint8_t> disk = base;
    for (const TestRecord& r : records) {
      if (r.seq <= seq) DiskHistoryBuilder::Apply(r, &disk);
    }
    return disk;
  }
};

class DrDiskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_dir_ = tmp_.path() / "replica" / "web-1";
    AddDisk("vda", 1 << 20, 4, 60, 21);
    AddDisk("vdb", 2 << 20, 10, 40, 22);
    testing::WriteRecoveryPoints(server_dir_, nlohmann::json::array({
                                                  {{"id", "rp-20261125T010030Z"},
                                                   {"time_ns", TimeOf(30)},
                                                   {"kind", "scheduled"},
                                                   {"seqs", {{"vda", 30}, {"vdb", 30}}}},
                                                  {{"id", "rp-20261125T010045Z"},
                                                   {"time_ns", TimeOf(45)},
                                                   {"kind", "manual"},
                                                   {"seqs", {{"vda", 45}, {"vdb", 40}}}},
                                              }));
  }

  void AddDisk(const std::string& name, uint64_t size, uint64_t base_seq, uint64_t last_seq, unsigned seed) {
    DiskModel& m = disks_[name];
    m.builder = std::make_unique<DiskHistoryBuilder>(server_dir_, name, size, seed);
    m.base = m.builder->RandomBytes(size);
    std::fill(m.base.begin() + size / 2, m.base.end(), 0);
    m.base_seq = base_seq;
    m.builder->WriteBase(m.base);
    m.builder->WriteHistory(base_seq, TimeOf(base_seq), {});
    std::vector<TestRecord> segment;
    for (uint64_t seq = 1; seq <= last_seq; ++seq) {
      TestRecord r = m.builder->RandomRecord(seq, TimeOf(seq));
      if (seq > base_seq) m.records.push_back(r);
      segment.push_back(r);
      if (segment.size() == 25) {
        m.builder->WriteSegment(segment);
        segment.clear();
      }
    }
    if (!segment.empty()) m.builder->WriteSegment(segment);
  }

  // Starts `cdr-dr-disk serve` and waits for its ready file.
  std::unique_ptr<Child> Serve(const std::vector<std::string>& extra, nlohmann::json* ready) {
    const fs::path ready_file = tmp_.path() / "ready.json";
    fs::remove(ready_file);
    std::vector<std::string> argv = {DrDiskBinary().string(), "serve",        "--listen",
                                     "127.0.0.1:0",           "--ready-file", ready_file.string()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto child = std::make_unique<Child>(argv, tmp_.path() / "serve.out", tmp_.path() / "serve.err");
    const bool up = PollUntil([&] { return fs::exists(ready_file) || !child->running(); });
    EXPECT_TRUE(up && fs::exists(ready_file)) << cdr::testing::ReadFile(tmp_.path() / "serve.err");
    if (fs::exists(ready_file)) *ready = *ReadJsonFile(ready_file);
    return child;
  }

  std::vector<std::string> HistoryFlags(const fs::path& state_dir) const {
    return {"--replica-dir",   (tmp_.path() / "replica").string(), "--server", "web-1", "--state-dir",
            state_dir.string()};
  }

  static std::string Uri(const nlohmann::json& ready, const std::string& disk) {
    return "nbd://" + ready["address"].get<std::string>() + "/" + disk;
  }

  std::vector<uint8_t> CopyOut(const nlohmann::json& ready, const std::string& disk) {
    const fs::path out = tmp_.path() / ("copy-" + disk + ".bin");
    fs::remove(out);
    RunResult r = RunProgram({"nbdcopy", Uri(ready, disk), out.string()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return testing::ReadAll(out);
  }

  std::vector<fs::path> Pins() const {
    std::vector<fs::path> pins;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(server_dir_ / "pins", ec)) pins.push_back(e.path());
    return pins;
  }

  cdr::testing::TempDir tmp_;
  fs::path server_dir_;
  std::map<std::string, DiskModel> disks_;
};

TEST_F(DrDiskTest, ServesEveryDiskAtARecoveryPointAndPinsItUntilSigterm) {
  nlohmann::json ready;
  std::unique_ptr<Child> serve = Serve(
      [&] {
        auto flags = HistoryFlags(tmp_.path() / "state");
        flags.insert(flags.end(), {"--at", "rp-20261125T010045Z"});
        return flags;
      }(),
      &ready);
  ASSERT_FALSE(ready.is_null());
  EXPECT_EQ(ready["point"]["id"], "rp-20261125T010045Z");
  EXPECT_EQ(ready["point"]["seqs"]["vda"], 45);
  EXPECT_EQ(ready["point"]["seqs"]["vdb"], 40);
  EXPECT_EQ(ready["pid"], serve->pid());
  ASSERT_EQ(ready["exports"].size(), 2u);
  EXPECT_TRUE(ready.contains("index_ms"));

  RunResult info = RunProgram({"nbdinfo", "--json", Uri(ready, "vdb")});
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_EQ(nlohmann::json::parse(info.out)["exports"][0]["export-size"], 2 << 20);
  EXPECT_TRUE(CopyOut(ready, "vda") == disks_["vda"].At(45)) << "vda differs from the replay at seq 45";
  EXPECT_TRUE(CopyOut(ready, "vdb") == disks_["vdb"].At(40)) << "vdb differs from the replay at seq 40";

  const std::vector<fs::path> pins = Pins();
  ASSERT_EQ(pins.size(), 1u);
  EXPECT_EQ((*ReadJsonFile(pins[0]))["seqs"]["vda"], 45);

  serve->Kill(SIGTERM);
  EXPECT_EQ(serve->Wait(), 0) << cdr::testing::ReadFile(tmp_.path() / "serve.err");
  // A stopped DR host comes back at the same point: the pin outlives the process and goes with the DR host.
  EXPECT_EQ(Pins().size(), 1u) << "the pin must outlive a SIGTERM";
}

TEST_F(DrDiskTest, DrWritesSurviveARestartAndFlattenEqualsWhatServeShowed) {
  const fs::path state = tmp_.path() / "state";
  nlohmann::json ready;
  std::unique_ptr<Child> serve = Serve(HistoryFlags(state), &ready);  // --at latest
  ASSERT_FALSE(ready.is_null());
  EXPECT_EQ(ready["point"]["seqs"]["vda"], 60);
  EXPECT_EQ(ready["point"]["time_ns"], TimeOf(60));

  // The DR host writes over part of vda (unaligned edges included).
  std::vector<uint8_t> written = disks_["vda"].At(60);
  const std::vector<uint8_t> fresh = disks_["vda"].builder->RandomBytes(300000);
  std::copy(fresh.begin(), fresh.end(), written.begin() + 12345);
  std::fill(written.begin() + 700001, written.begin() + 800003, 0);
  testing::WriteAll(tmp_.path() / "written.bin", written);
  RunResult in = RunProgram({"nbdcopy", (tmp_.path() / "written.bin").string(), Uri(ready, "vda")});
  ASSERT_EQ(in.exit_code, 0) << in.err;
  serve->Kill(SIGTERM);
  ASSERT_EQ(serve->Wait(), 0);

  // Another --at is ignored while state/point.json exists: the same point, with the writes.
  serve = Serve(
      [&] {
        auto flags = HistoryFlags(state);
        flags.insert(flags.end(), {"--at", "rp-20261125T010030Z"});
        return flags;
      }(),
      &ready);
  ASSERT_FALSE(ready.is_null());
  EXPECT_EQ(ready["point"]["seqs"]["vda"], 60);
  EXPECT_TRUE(CopyOut(ready, "vda") == written) << "the DR host's writes were lost across the restart";
  EXPECT_TRUE(CopyOut(ready, "vdb") == disks_["vdb"].At(40));
  serve->Kill(SIGTERM);
  ASSERT_EQ(serve->Wait(), 0);

  const std::string replica = (tmp_.path() / "replica").string();
  RunResult copy =
      RunProgram({DrDiskBinary().string(), "flatten", "--replica-dir", replica, "--server", "web-1",
                  "--state-dir", state.string(), "--out-dir", (tmp_.path() / "flat").string()});
  ASSERT_EQ(copy.exit_code, 0) << copy.err;
  EXPECT_TRUE(testing::ReadAll(tmp_.path() / "flat" / "vda.img") == written);
  EXPECT_TRUE(testing::ReadAll(tmp_.path() / "flat" / "vdb.img") == disks_["vdb"].At(40));
  EXPECT_TRUE(fs::exists(server_dir_ / "vda.base.img"))
      << "a plain flatten must leave the shadow's base alone";

  RunResult consume = RunProgram({DrDiskBinary().string(), "flatten", "--replica-dir", replica, "--server",
                                  "web-1", "--state-dir", state.string(), "--out-dir",
                                  (tmp_.path() / "final").string(), "--consume-base"});
  ASSERT_EQ(consume.exit_code, 0) << consume.err;
  EXPECT_TRUE(testing::ReadAll(tmp_.path() / "final" / "vda.img") == written);
  EXPECT_TRUE(testing::ReadAll(tmp_.path() / "final" / "vdb.img") == disks_["vdb"].At(40));
  EXPECT_FALSE(fs::exists(server_dir_ / "vda.base.img")) << "--consume-base renames the base";
  // Flatten releases its own pin; the served DR host's pin goes with the DR host (the provider removes it).
  ASSERT_EQ(Pins().size(), 1u);
  EXPECT_EQ(Pins()[0].filename().string().rfind("flatten-", 0), std::string::npos);

  // After a confirmed failover the flattened images are served as they are.
  serve = Serve({"--image-dir", (tmp_.path() / "final").string()}, &ready);
  ASSERT_FALSE(ready.is_null());
  EXPECT_TRUE(CopyOut(ready, "vda") == written);
  serve->Kill(SIGTERM);
  EXPECT_EQ(serve->Wait(), 0);
}

// --tls-dir: NBD_OPT_STARTTLS is required and the client must hold a certificate of the estate's CA.
TEST_F(DrDiskTest, WithTlsServesOnlyClientsWithACertificateOfTheEstate) {
  const cdr::testing::TestCertificates certs = cdr::testing::MakeTestCertificates(tmp_.path() / "pki");
  ASSERT_FALSE(HasFatalFailure());
  nlohmann::json ready;
  auto flags = HistoryFlags(tmp_.path() / "state");
  flags.insert(flags.end(), {"--at", "rp-20261125T010045Z", "--tls-dir", certs.server.string()});
  std::unique_ptr<Child> serve = Serve(flags, &ready);
  ASSERT_FALSE(ready.is_null());
  EXPECT_EQ(ready["tls"], true);
  auto tls_uri = [&](const fs::path& certificates) {
    return "nbds://" + ready["address"].get<std::string>() + "/vdb?tls-certificates=" + certificates.string();
  };

  RunResult info = RunProgram({"nbdinfo", "--json", tls_uri(certs.client)});
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_EQ(nlohmann::json::parse(info.out)["exports"][0]["export-size"], 2 << 20);
  const fs::path out = tmp_.path() / "vdb-over-tls.bin";
  RunResult copy = RunProgram({"nbdcopy", tls_uri(certs.client), out.string()});
  ASSERT_EQ(copy.exit_code, 0) << copy.err;
  EXPECT_TRUE(testing::ReadAll(out) == disks_["vdb"].At(40)) << "vdb over TLS differs from the replay at seq 40";

  RunResult plain = RunProgram({"nbdinfo", "--size", Uri(ready, "vdb")});
  EXPECT_NE(plain.exit_code, 0) << "a plain client was served";
  EXPECT_NE(plain.err.find("requires TLS"), std::string::npos) << plain.err;
  RunResult rogue = RunProgram({"nbdinfo", "--size", tls_uri(certs.rogue_client)});
  EXPECT_NE(rogue.exit_code, 0) << "a client certificate of another CA was accepted";
  RunResult anonymous = RunProgram({"nbdinfo", "--size", tls_uri(certs.no_client_cert)});
  EXPECT_NE(anonymous.exit_code, 0) << "a client without a certificate was served";
  EXPECT_NE(cdr::testing::ReadFile(tmp_.path() / "serve.err").find("certificate"), std::string::npos)
      << "the refusals are not logged";
  serve->Kill(SIGTERM);
  EXPECT_EQ(serve->Wait(), 0);
}

// base:allocation of a DR disk: the base image's holes where no record covers a byte, holes where the newest
// record is a zero, data where it is a write, and data where the DR host wrote. `nbdinfo --map` lists the same
// extents as `nbdkit file` does for a file laid out the same way, and `nbdcopy` of the disk skips the holes.
TEST_F(DrDiskTest, AllocationMapIsTheBasesHolesPlusTheLogsExtentsAndCopiesStaySparse) {
  constexpr uint64_t kMiB = 1 << 20, kKiB = 1 << 10;
  DiskHistoryBuilder builder(server_dir_, "vdc", 4 * kMiB, 23);
  std::vector<uint8_t> base(4 * kMiB, 0);
  const std::vector<uint8_t> base_data = builder.RandomBytes(256 * kKiB);
  std::copy(base_data.begin(), base_data.end(), base.begin() + kMiB);
  builder.WriteBase(base);
  builder.WriteHistory(0, TimeOf(0), {});
  TestRecord write{journal::RecordKind::kWrite, 1, TimeOf(1), 3 * kMiB, builder.RandomBytes(64 * kKiB), 0};
  TestRecord zero{journal::RecordKind::kZero, 2, TimeOf(2), kMiB + 64 * kKiB, {}, 64 * kKiB};
  builder.WriteSegment({write, zero});

  // The same layout as a plain file: the base's data, the zeroed range punched out, the logged write.
  const fs::path expected = tmp_.path() / "expected.img";
  std::vector<uint8_t> disk = base;
  DiskHistoryBuilder::Apply(write, &disk);
  DiskHistoryBuilder::Apply(zero, &disk);
  int fd = ::open(expected.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::ftruncate(fd, 4 * kMiB), 0);
  auto put = [&](uint64_t at, uint64_t n) {
    ASSERT_EQ(::pwrite(fd, disk.data() + at, n, at), static_cast<ssize_t>(n));
  };
  put(kMiB, 64 * kKiB);
  put(kMiB + 128 * kKiB, 128 * kKiB);
  put(3 * kMiB, 64 * kKiB);

  nlohmann::json ready;
  std::unique_ptr<Child> serve = Serve(HistoryFlags(tmp_.path() / "state"), &ready);  // --at latest
  ASSERT_FALSE(ready.is_null());
  ASSERT_EQ(ready["point"]["seqs"]["vdc"], 2);
  // The DR host writes into a hole of the base: its overlay block is data from then on.
  RunResult dr_write = RunProgram({"qemu-io", "-f", "raw", "-c", "write -P 0x5a 2M 64k", Uri(ready, "vdc")});
  ASSERT_EQ(dr_write.exit_code, 0) << dr_write.out << dr_write.err;
  std::fill_n(disk.begin() + 2 * kMiB, 64 * kKiB, 0x5a);
  put(2 * kMiB, 64 * kKiB);
  ::close(fd);

  RunResult dr_map = RunProgram({"nbdinfo", "--map", Uri(ready, "vdc")});
  ASSERT_EQ(dr_map.exit_code, 0) << dr_map.err;
  RunResult file_map = RunProgram(
      {"nbdkit", "-r", "-U", "-", "file", expected.string(), "--run", "nbdinfo --map \"$uri\""});
  ASSERT_EQ(file_map.exit_code, 0) << file_map.err;
  EXPECT_EQ(dr_map.out, file_map.out);
  EXPECT_NE(dr_map.out.find("hole,zero"), std::string::npos) << dr_map.out;

  const fs::path copy = tmp_.path() / "copy-vdc.bin";
  RunResult copied = RunProgram({"nbdcopy", Uri(ready, "vdc"), copy.string()});
  ASSERT_EQ(copied.exit_code, 0) << copied.err;
  EXPECT_TRUE(testing::ReadAll(copy) == disk) << "the copy differs from the replay plus the DR write";
  struct stat st {};
  ASSERT_EQ(::stat(copy.c_str(), &st), 0);
  // 384 KiB of data in a 4 MiB disk: a copy that skipped the holes allocates about that much.
  EXPECT_LT(static_cast<uint64_t>(st.st_blocks) * 512, kMiB) << "nbdcopy wrote the holes out";
  serve->Kill(SIGTERM);
  EXPECT_EQ(serve->Wait(), 0) << cdr::testing::ReadFile(tmp_.path() / "serve.err");
}

TEST_F(DrDiskTest, ExportWritesOneDiskAtATimeAsAStandaloneFile) {
  const fs::path out = tmp_.path() / "vda-at-33.img";
  // 33.5 s after the base time: the greatest seq with record time <= T is 33.
  RunResult r = RunProgram({DrDiskBinary().string(), "export", "--replica-dir",
                            (tmp_.path() / "replica").string(), "--server", "web-1", "--at",
                            "2026-11-25T01:00:33.5Z", "--disk", "vda", "--out", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(testing::ReadAll(out) == disks_["vda"].At(33));
  EXPECT_TRUE(Pins().empty());
}

TEST_F(DrDiskTest, RefusesATimeBeforeTheWindowAndAnUnknownPointWithClearMessages) {
  const std::string replica = (tmp_.path() / "replica").string();
  RunResult early =
      RunProgram({DrDiskBinary().string(), "export", "--replica-dir", replica, "--server", "web-1", "--at",
                  "2026-11-25T01:00:05Z", "--disk", "vdb", "--out", (tmp_.path() / "x.img").string()});
  EXPECT_EQ(early.exit_code, 1);
  EXPECT_NE(early.err.find("before the window of disk vdb"), std::string::npos) << early.err;
  RunResult unknown =
      RunProgram({DrDiskBinary().string(), "export", "--replica-dir", replica, "--server", "web-1", "--at",
                  "rp-nope", "--disk", "vda", "--out", (tmp_.path() / "x.img").string()});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("rp-20261125T010030Z"), std::string::npos)
      << "lists the known points: " << unknown.err;
  EXPECT_TRUE(Pins().empty());
}

TEST_F(DrDiskTest, PointsReportsBytesChangedBetweenPointsAndTheWindows) {
  RunResult r = RunProgram({DrDiskBinary().string(), "points", "--replica-dir",
                            (tmp_.path() / "replica").string(), "--server", "web-1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json out = nlohmann::json::parse(r.out);
  const auto bytes = [&](const std::string& disk, uint64_t from, uint64_t to) {
    uint64_t sum = 0;
    for (const TestRecord& rec : disks_[disk].records) {
      if (rec.seq > from && rec.seq <= to)
        sum += rec.kind == journal::RecordKind::kWrite ? rec.data.size() : rec.length;
    }
    return sum;
  };
  ASSERT_EQ(out["points"].size(), 2u);
  EXPECT_EQ(out["points"][0]["bytes"], bytes("vda", 4, 30) + bytes("vdb", 10, 30));
  EXPECT_EQ(out["points"][1]["bytes"], bytes("vda", 30, 45) + bytes("vdb", 30, 40));
  EXPECT_EQ(out["points"][1]["kind"], "manual");
  ASSERT_EQ(out["windows"].size(), 2u);
  EXPECT_EQ(out["windows"][1]["disk"], "vdb");
  EXPECT_EQ(out["windows"][1]["start_time_ns"], TimeOf(10));
  EXPECT_EQ(out["windows"][1]["end_time_ns"], TimeOf(40));
}

}  // namespace
}  // namespace cdr::recovery
