// InstallAgent with the real cdr-agent: its NBD front, its control API, restarts and uninstall.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/nbd_uri.h"
#include "providers/local/internal/layout.h"
#include "providers/local/internal/process_probe.h"
#include "providers/local/internal/records.h"
#include "providers/local/local_provider.h"
#include "tests/providers/process_cloud.h"

namespace cdr::providers::local {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

class LocalAgentProcessTest : public test_util::ProcessCloudTest {
 protected:
  int RecordedPid(const std::string& host_id) {
    auto record = internal::ReadAgent(internal::AgentFile(root_, host_id));
    return record.ok() ? record->pid : 0;
  }
  Agent Install(const std::string& host_id) {
    auto agent = provider_->InstallAgent({.host_id = host_id, .group = "web"});
    EXPECT_TRUE(agent.ok()) << agent.status().ToString();
    return agent.ok() ? *agent : Agent{};
  }
};

TEST_F(LocalAgentProcessTest, InstallStartsAgentServingTheHostDiskOverNbd) {
  const Agent agent = Install("host-1");
  EXPECT_EQ(agent.status, "running");
  EXPECT_EQ(agent.group, "web");
  EXPECT_THAT(agent.nbd_address, MatchesRegex("127\\.0\\.0\\.1:[0-9]+"));
  EXPECT_THAT(agent.api_address, MatchesRegex("127\\.0\\.0\\.1:[0-9]+"));
  EXPECT_THAT(agent.api_token, MatchesRegex("[0-9a-f]{64}"));
  const int pid = RecordedPid("host-1");
  EXPECT_TRUE(internal::IsAlive(pid));

  struct stat token_stat {};
  ASSERT_EQ(::stat(internal::AgentTokenFile(root_, "host-1").c_str(), &token_stat), 0);
  EXPECT_EQ(token_stat.st_mode & 0777, 0600u);
  // Issue #13 finding 6: agent.json is 0644, so the token must not be copied into it.
  std::ifstream record(internal::AgentFile(root_, "host-1"));
  const std::string record_text((std::istreambuf_iterator<char>(record)), std::istreambuf_iterator<char>());
  EXPECT_FALSE(record_text.empty());
  EXPECT_EQ(record_text.find(agent.api_token), std::string::npos) << "the token is in agent.json";

  // The export wants TLS and a client certificate of the estate (issue #13): the provider says which.
  ASSERT_FALSE(agent.nbd_tls_dir.empty());
  int rc = -1;
  const std::string size =
      test_util::CommandOutput("nbdinfo --size '" + NbdUri(agent.nbd_address, "vda", agent.nbd_tls_dir) + "'", &rc);
  EXPECT_EQ(rc, 0);
  EXPECT_EQ(size, std::to_string(test_util::kSmallDisk) + "\n");
  test_util::CommandOutput("nbdinfo --size nbd://" + agent.nbd_address + "/vda 2>/dev/null", &rc);
  EXPECT_NE(rc, 0) << "plain NBD to a TLS export must be refused";

  auto described = provider_->DescribeAgent("host-1");
  ASSERT_TRUE(described.ok()) << described.status().ToString();
  EXPECT_EQ(described->status, "running");
  EXPECT_EQ(described->nbd_address, agent.nbd_address);
  EXPECT_EQ(described->api_address, agent.api_address);
  EXPECT_EQ(described->api_token, agent.api_token);

  auto again = provider_->InstallAgent({.host_id = "host-1", .group = "web"});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(RecordedPid("host-1"), pid) << "installing a running agent again must not start a second one";
  EXPECT_EQ(again->installed_at, agent.installed_at);
}

// The agent must outlive `cdr apply`: its own session, stdin /dev/null, output in agent.log, and none of the
// caller's descriptors (a state database, a lock file) held open.
TEST_F(LocalAgentProcessTest, AgentRunsDetachedWithoutTheCallersDescriptors) {
  const fs::path leaked = dir_.path() / "caller-only.txt";
  const int caller_fd = ::open(leaked.c_str(), O_WRONLY | O_CREAT, 0644);  // no O_CLOEXEC on purpose
  ASSERT_GE(caller_fd, 0);
  Install("host-1");
  ::close(caller_fd);
  const int pid = RecordedPid("host-1");
  ASSERT_TRUE(internal::IsAlive(pid));
  EXPECT_NE(::getsid(pid), ::getsid(0));
  const fs::path fds = "/proc/" + std::to_string(pid) + "/fd";
  EXPECT_EQ(fs::read_symlink(fds / "0"), "/dev/null");
  EXPECT_EQ(fs::read_symlink(fds / "2"), internal::AgentLogFile(canonical_root_, "host-1"));
  for (const auto& entry : fs::directory_iterator(fds)) {
    std::error_code ec;
    EXPECT_NE(fs::read_symlink(entry.path(), ec), leaked) << "fd " << entry.path().filename() << " leaked";
  }
}

TEST_F(LocalAgentProcessTest, AgentApiAnswersOnlyCdrsCertificateWithTheToken) {
  const Agent agent = Install("host-1");
  ASSERT_FALSE(agent.api_address.empty());
  const fs::path cdr_tls = root_ / "pki" / "cdr";
  EXPECT_EQ(fs::path(agent.api_tls_dir), canonical_root_ / "pki" / "cdr");
  const std::string url = "https://" + agent.api_address + "/v1/status";
  const std::string curl = "curl -s -o /dev/null -w '%{http_code}' --cacert " + (cdr_tls / "ca-cert.pem").string();
  const std::string certificate =
      " --cert " + (cdr_tls / "client-cert.pem").string() + " --key " + (cdr_tls / "client-key.pem").string();
  EXPECT_EQ(test_util::CommandOutput(curl + certificate + " -H 'Authorization: Bearer " + agent.api_token + "' " + url),
            "200");
  EXPECT_EQ(test_util::CommandOutput(curl + certificate + " " + url), "401");
  EXPECT_EQ(test_util::CommandOutput(curl + " -H 'Authorization: Bearer " + agent.api_token + "' " + url), "000")
      << "served without a client certificate";
  EXPECT_EQ(test_util::CommandOutput("curl -s -o /dev/null -w '%{http_code}' http://" + agent.api_address +
                                     "/v1/status"),
            "000")
      << "plain HTTP answered";
}

TEST_F(LocalAgentProcessTest, KilledAgentIsStoppedAndInstallRestartsItOnTheSameState) {
  const Agent first = Install("host-1");
  const int first_pid = RecordedPid("host-1");
  ASSERT_GT(first_pid, 0);
  const fs::path state = internal::AgentStateDir(root_, "host-1");
  ASSERT_FALSE(fs::is_empty(state)) << "the agent keeps its journal and bitmap in its state dir";
  std::ofstream(state / "marker") << "kept";

  ASSERT_EQ(::kill(first_pid, SIGKILL), 0);
  ASSERT_TRUE(test_util::PollUntil([&] {
    auto agent = provider_->DescribeAgent("host-1");
    return agent.ok() && agent->status == "stopped";
  }));
  auto stopped = provider_->DescribeAgent("host-1");
  ASSERT_TRUE(stopped.ok());
  EXPECT_EQ(stopped->nbd_address, "");
  EXPECT_EQ(stopped->api_address, "");

  const Agent second = Install("host-1");
  EXPECT_EQ(second.status, "running");
  EXPECT_NE(RecordedPid("host-1"), first_pid);
  EXPECT_EQ(second.installed_at, first.installed_at);
  EXPECT_EQ(second.api_token, first.api_token) << "a restart keeps the token the reconciler holds";
  EXPECT_TRUE(fs::exists(state / "marker")) << "the restarted agent must use the same state dir";
  int rc = -1;
  test_util::CommandOutput("nbdinfo --size '" + NbdUri(second.nbd_address, "vda", second.nbd_tls_dir) + "'", &rc);
  EXPECT_EQ(rc, 0);
}

TEST_F(LocalAgentProcessTest, UninstallStopsTheProcessAndRemovesItsDirectory) {
  Install("host-1");
  const int pid = RecordedPid("host-1");
  ASSERT_TRUE(internal::IsAlive(pid));
  ASSERT_TRUE(provider_->UninstallAgent("host-1").ok());
  EXPECT_FALSE(internal::IsAlive(pid));
  EXPECT_FALSE(fs::exists(internal::AgentDir(root_, "host-1")));
  EXPECT_EQ(provider_->DescribeAgent("host-1").status().code(), StatusCode::kNotFound);
}

TEST_F(LocalAgentProcessTest, AgentThatCannotOpenItsDiskFailsWithItsLog) {
  auto host = provider_->DescribeHost("host-1");
  ASSERT_TRUE(host.ok());
  fs::remove(host->disks.front().path);
  auto agent = provider_->InstallAgent({.host_id = "host-1", .group = "web"});
  EXPECT_EQ(agent.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(agent.status().message(), HasSubstr("exited before it was ready"));
  EXPECT_THAT(agent.status().message(), HasSubstr("agent.log"));
  EXPECT_THAT(agent.status().message(), HasSubstr("vda")) << "the log's tail says which export failed";
  EXPECT_EQ(provider_->DescribeAgent("host-1").status().code(), StatusCode::kNotFound);
}

TEST_F(LocalAgentProcessTest, DeletingTheHostStopsItsAgent) {
  Install("host-2");
  const int pid = RecordedPid("host-2");
  ASSERT_TRUE(internal::IsAlive(pid));
  ASSERT_TRUE(LocalProvider::DeleteHost(root_, "host-2").ok());
  EXPECT_FALSE(internal::IsAlive(pid));
  auto agent = provider_->DescribeAgent("host-2");
  ASSERT_TRUE(agent.ok()) << "the registration outlives the host";
  EXPECT_EQ(agent->status, "stopped");
}

}  // namespace
}  // namespace cdr::providers::local
