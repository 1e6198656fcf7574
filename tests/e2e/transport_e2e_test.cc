// The replication transport the spec chooses, through the real `cdr` and the local cloud: TLS by default (the
// daemons get --tls-dir), plain TCP only with `[provider] insecure = true`, which every command that reads
// the spec warns about with its position; replication works either way.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "common/json_file.h"
#include "tests/e2e/cdr_workspace.h"
#include "tests/e2e/status_json.h"
#include "tests/support/process_test_util.h"

namespace cdr::e2e {
namespace {

namespace fs = std::filesystem;

std::string CommandLine(const fs::path& ready_file) {
  Result<nlohmann::json> ready = ReadJsonFile(ready_file);
  if (!ready.ok()) return "";
  std::ifstream in("/proc/" + std::to_string((*ready)["pid"].get<int>()) + "/cmdline");
  std::string args((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (char& c : args) c = c == '\0' ? ' ' : c;
  return args;
}

class TransportE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(ws_.Cdr({"local", "init", "--hosts", "1", "--disk-size-mib", "16"}).exit_code, 0);
  }
  // Writes random data through the agent's NBD export and waits until the replica holds it.
  void WriteAndCompare() {
    const nlohmann::json server = StatusOfFirstServer(ws_);
    ASSERT_EQ(server["state"], "realtime") << server.dump(2);
    cdr::testing::TempDir tmp;
    cdr::testing::WriteRandomFile(tmp / "random.bin", 2 << 20, 11);
    auto copied = cdr::testing::RunProgram({"nbdcopy", (tmp / "random.bin").string(), server["nbd_uris"][0]});
    ASSERT_EQ(copied.exit_code, 0) << copied.err;
    const std::string disk = (ws_.cloud() / "zones/az1/disks/host-1-vda.img").string();
    const std::string replica = server["replicas"][0]["path"].get<std::string>();
    EXPECT_TRUE(cdr::testing::PollUntil(
        [&] {
          return cdr::testing::RunProgram({"cmp", "-s", disk, replica}).exit_code == 0;
        },
        std::chrono::seconds(60)));
  }
  CdrWorkspace ws_;
};

TEST_F(TransportE2eTest, TlsByDefault) {
  ws_.WriteSpec("web.toml", GroupSpec(1, 30, "running"));
  RunResult applied = ws_.Cdr({"apply", "-auto-approve", "-wait-timeout=60"});
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  EXPECT_EQ(applied.err.find("Warning"), std::string::npos) << applied.err;
  const std::string agent = CommandLine(ws_.cloud() / "agents/host-1/ready.json");
  EXPECT_NE(agent.find("--tls-dir"), std::string::npos) << agent;
  EXPECT_EQ(agent.find("--insecure"), std::string::npos) << agent;
  ASSERT_NO_FATAL_FAILURE(WriteAndCompare());
}

TEST_F(TransportE2eTest, InsecureIsPlainTcpWithAWarningAtItsLine) {
  std::string spec = GroupSpec(1, 30, "running");
  const std::string root = "root = \".cdr/cloud\"\n";
  spec.replace(spec.find(root), root.size(), root + "insecure = true\n");
  ws_.WriteSpec("web.toml", spec);
  RunResult validated = ws_.Cdr({"validate"});
  ASSERT_EQ(validated.exit_code, 0) << validated.err;
  EXPECT_NE(
      validated.err.find("Warning: specs/web.toml:4:12: provider.insecure: replication runs over plain TCP"),
      std::string::npos)
      << validated.err;
  RunResult planned = ws_.Cdr({"plan"});
  EXPECT_NE(planned.err.find("provider.insecure"), std::string::npos) << planned.err;
  RunResult applied = ws_.Cdr({"apply", "-auto-approve", "-wait-timeout=60"});
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  const std::string agent = CommandLine(ws_.cloud() / "agents/host-1/ready.json");
  EXPECT_NE(agent.find("--insecure"), std::string::npos) << agent;
  EXPECT_FALSE(fs::exists(ws_.cloud() / "agents/host-1/tls"));
  ASSERT_NO_FATAL_FAILURE(WriteAndCompare());
}

}  // namespace
}  // namespace cdr::e2e
