// Failback end to end (issue #10), as far as it is built: real cdr-agent, cdr-shadow and cdr-dr-disk processes on
// 127.0.0.1. After a confirmed failover, [group.server.failback] reverse registers the server: a cdr-agent fronts
// the DR host's standalone disks, the DR host's NBD export is that agent's (writes of the DR workload reach the
// disk through its journal), it survives `cdr local down`/`up`, and production stays fenced meanwhile.
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

constexpr char kConfirmed[] = "\n[group.server.failover]\nname = \"web1-dr\"\nip = \"10.0.1.5\"\nconfirm = true\n";
constexpr char kFailback[] = "\n[group.server.failback]\nrestore_to_original = true\n";

class FailbackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(ws_.Cdr({"local", "init", "--hosts", "1", "--disk-size-mib", "16"}).exit_code, 0);
  }

  static std::string Spec(const std::string& tables) { return GroupSpec(1, 30, "running") + tables; }

  RunResult Apply(const std::string& spec) {
    ws_.WriteSpec("web.toml", spec);
    return ws_.Cdr({"apply", "-auto-approve", "-wait-timeout=60"});
  }

  json Server() { return StatusOfFirstServer(ws_); }

  cdr::testing::RunResult WriteTo(const std::string& uri, unsigned seed) {
    cdr::testing::WriteRandomFile(tmp_ / "data.bin", 1 << 20, seed);
    return cdr::testing::RunProgram({"nbdcopy", (tmp_ / "data.bin").string(), uri});
  }

  CdrWorkspace ws_;
  cdr::testing::TempDir tmp_;
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

  ws_.WriteSpec("web.toml", Spec(std::string(kConfirmed) + kFailback));
  RunResult plan = ws_.Cdr({"plan"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("will be reverse registered"));
  EXPECT_THAT(plan.out, HasSubstr("failover_confirmed → reverse_registering → reverse_initialized"));
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

}  // namespace
}  // namespace cdr::e2e
