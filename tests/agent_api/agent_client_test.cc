// The real AgentClient against the real ControlApi: every call crosses HTTP on 127.0.0.1 and comes back as
// the Status the control returned.
#include "agent/api/agent_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "agent/api/control_json.h"
#include "agent/api/free_port.h"
#include "tests/agent_api/control_api_fixture.h"
#include "tests/support/process_test_util.h"

namespace cdr::agent::api::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

class AgentClientTest : public ControlApiTest {
 protected:
  AgentClient Client(const std::string& token = kToken) { return AgentClient(address(), token); }
};

TEST_F(AgentClientTest, GetStatusCarriesEveryField) {
  Result<AgentStatus> status = Client().GetStatus();
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  const AgentStatus expected = FakeReplicationControl::SampleStatus();
  EXPECT_EQ(status->server_id, expected.server_id);
  EXPECT_EQ(status->nbd_address, expected.nbd_address);
  EXPECT_TRUE(status->sync_mode);
  EXPECT_FALSE(status->auto_restart);
  ASSERT_EQ(status->disks.size(), 2u);
  EXPECT_EQ(status->disks[0].bytes_sent, 123456789u);
  EXPECT_EQ(status->disks[0].acked_seq, 75u);
  EXPECT_DOUBLE_EQ(status->disks[0].lag_seconds, 0.25);
  EXPECT_TRUE(status->disks[0].link_up);
  EXPECT_EQ(status->disks[1].last_error, expected.disks[1].last_error);
  EXPECT_EQ(ToJson(*status), ToJson(expected));
}

TEST_F(AgentClientTest, StartSendsEveryTargetField) {
  ReplicationTarget target{"[::1]:7443", "db-7", true, false, 50'000'000, 42};
  Status started = Client().Start(target);
  ASSERT_TRUE(started.ok()) << started.ToString();
  ASSERT_EQ(control_.targets().size(), 1u);
  const ReplicationTarget got = control_.targets()[0];
  EXPECT_EQ(got.shadow_address, "[::1]:7443");
  EXPECT_EQ(got.server_id, "db-7");
  EXPECT_TRUE(got.sync_mode);
  EXPECT_FALSE(got.auto_restart);
  EXPECT_EQ(got.rate_bytes_per_second, 50'000'000u);
  EXPECT_EQ(got.outage_window_seconds, 42);
}

TEST_F(AgentClientTest, CommandsReachTheControlInOrder) {
  AgentClient client = Client();
  EXPECT_TRUE(client.Stop().ok());
  EXPECT_TRUE(client.Restart().ok());
  EXPECT_TRUE(client.Repair().ok());
  EXPECT_EQ(control_.calls(), (std::vector<std::string>{"stop", "restart", "repair"}));
  EXPECT_EQ(client.GetStatus()->state, "repair_starting");
}

TEST_F(AgentClientTest, FenceAndUnfenceReachTheControlAndShowInTheStatus) {
  AgentClient client = Client();
  ASSERT_TRUE(client.Fence().ok());
  EXPECT_TRUE(client.GetStatus()->fenced);
  ASSERT_TRUE(client.Unfence().ok());
  EXPECT_FALSE(client.GetStatus()->fenced);
  EXPECT_EQ(control_.calls(), (std::vector<std::string>{"fence", "unfence"}));
}

TEST_F(AgentClientTest, FailedPreconditionComesBackWithTheAgentsMessage) {
  const std::string message = "cannot start: the agent is in state repairing";
  control_.SetResult("start", FailedPrecondition(message));
  Status started = Client().Start({"127.0.0.1:7000", "web-1"});
  EXPECT_EQ(started.code(), StatusCode::kFailedPrecondition) << started.ToString();
  EXPECT_EQ(started.message(), message);
}

TEST_F(AgentClientTest, InvalidTargetIsInvalidArgumentNamingTheField) {
  Status started = Client().Start({"127.0.0.1:7000", "web-1", false, true, 0, -5});
  EXPECT_EQ(started.code(), StatusCode::kInvalidArgument) << started.ToString();
  EXPECT_NE(started.message().find("outage_window_seconds"), std::string::npos) << started.message();
  EXPECT_TRUE(control_.calls().empty());
}

TEST_F(AgentClientTest, OtherErrorsAreInternal) {
  control_.SetResult("restart", DataLoss("bitmap lost"));
  Status restarted = Client().Restart();
  EXPECT_EQ(restarted.code(), StatusCode::kInternal) << restarted.ToString();
  EXPECT_NE(restarted.message().find("bitmap lost"), std::string::npos);
  EXPECT_NE(restarted.message().find(address()), std::string::npos) << "the message names the agent";
}

TEST_F(AgentClientTest, WrongTokenIsPermissionDenied) {
  AgentClient client = Client("not-the-token");
  EXPECT_EQ(client.GetStatus().status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(client.Stop().code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(control_.calls().empty());
}

TEST_F(AgentClientTest, SlowAgentTimesOutAsUnavailable) {
  control_.SetDelay(milliseconds(1500));
  AgentClient client(address(), kToken, {}, milliseconds(300));
  const auto start = steady_clock::now();
  Status stopped = client.Stop();
  const auto elapsed = steady_clock::now() - start;
  EXPECT_EQ(stopped.code(), StatusCode::kUnavailable) << stopped.ToString();
  EXPECT_LT(elapsed, milliseconds(1300)) << "the client must give up at its timeout, not wait for the agent";
}

TEST_F(AgentClientTest, StopWaitsForACommandInFlight) {
  control_.SetDelay(milliseconds(800));
  std::thread caller([&] { Client().Stop(); });
  ASSERT_TRUE(cdr::testing::PollUntil([&] { return !control_.calls().empty(); }, milliseconds(10000)));
  api_->Stop();
  // Once Stop() returns the owner may destroy the control, so the command must have finished by then.
  control_.SetDelay(milliseconds(0));
  EXPECT_EQ(control_.GetStatus()->state, "full_sync_stopped");
  caller.join();
}

// The client keeps its connection between calls; when the agent restarts (an upgrade, a crash) the kept one is
// closed, and the next call — a status read or a command — goes out on a new connection instead of failing.
TEST_F(AgentClientTest, AConnectionTheAgentClosedIsReplacedOnTheNextCall) {
  AgentClient client = Client();
  ASSERT_TRUE(client.GetStatus().ok());
  const std::string taken = address();
  const uint16_t port = static_cast<uint16_t>(std::stoi(taken.substr(taken.rfind(':') + 1)));
  api_->Stop();
  api_ = std::make_unique<ControlApi>(ControlApiOptions{"127.0.0.1", port, kToken}, &control_);
  ASSERT_TRUE(api_->Start().ok());
  Result<AgentStatus> status = client.GetStatus();
  EXPECT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_TRUE(client.Stop().ok());
  api_->Stop();
  api_ = std::make_unique<ControlApi>(ControlApiOptions{"127.0.0.1", port, kToken}, &control_);
  ASSERT_TRUE(api_->Start().ok());
  Status stopped = client.Stop();
  EXPECT_TRUE(stopped.ok()) << stopped.ToString();
  EXPECT_EQ(control_.calls(), (std::vector<std::string>{"stop", "stop"}));
}

TEST(AgentClientTransportTest, ClosedPortIsUnavailableQuicklyAndNamesTheAddress) {
  Result<uint16_t> port = PickFreePort("127.0.0.1");
  ASSERT_TRUE(port.ok()) << port.status().ToString();
  const std::string address = "127.0.0.1:" + std::to_string(*port);
  AgentClient client(address, kToken);
  const auto start = steady_clock::now();
  Result<AgentStatus> status = client.GetStatus();
  Status stopped = client.Stop();
  EXPECT_LT(steady_clock::now() - start, milliseconds(3000));
  EXPECT_EQ(status.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(status.status().message().find(address), std::string::npos) << status.status().message();
  EXPECT_EQ(stopped.code(), StatusCode::kUnavailable);
}

TEST(ControlApiStartTest, RefusesAnEmptyToken) {
  FakeReplicationControl control;
  ControlApi api({"127.0.0.1", 0, ""}, &control);
  Status started = api.Start();
  EXPECT_EQ(started.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(started.message().find("token"), std::string::npos);
}

TEST(ControlApiStartTest, APortHeldByAnotherSocketIsUnavailableNamingThePort) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof addr;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), length), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length), 0);
  const uint16_t port = ntohs(addr.sin_port);
  FakeReplicationControl control;
  ControlApi api({"127.0.0.1", port, kToken}, &control);
  Status started = api.Start();
  ::close(fd);
  EXPECT_EQ(started.code(), StatusCode::kUnavailable) << started.ToString();
  EXPECT_NE(started.message().find(std::to_string(port)), std::string::npos) << started.message();
}

// cpprest drops the first listener's acceptor when a second one on the same host:port fails to open; the
// control API must keep the first one serving.
TEST(ControlApiStartTest, ASecondApiOnTheSamePortLeavesTheFirstServing) {
  FakeReplicationControl control;
  ControlApi first({"127.0.0.1", 0, kToken}, &control);
  ASSERT_TRUE(first.Start().ok());
  const std::string taken = first.address();
  const uint16_t port = static_cast<uint16_t>(std::stoi(taken.substr(taken.rfind(':') + 1)));
  ControlApi second({"127.0.0.1", port, kToken}, &control);
  Status started = second.Start();
  EXPECT_EQ(started.code(), StatusCode::kUnavailable) << started.ToString();
  EXPECT_NE(started.message().find(std::to_string(port)), std::string::npos) << started.message();
  EXPECT_TRUE(AgentClient(taken, kToken).GetStatus().ok()) << "the first listener is untouched";
  first.Stop();
  EXPECT_TRUE(second.Start().ok()) << "the port is free again once the first API stopped";
  EXPECT_TRUE(AgentClient(second.address(), kToken).GetStatus().ok());
}

TEST(ControlApiStartTest, StopsAndFreesThePort) {
  FakeReplicationControl control;
  ControlApi api({"127.0.0.1", 0, kToken}, &control);
  ASSERT_TRUE(api.Start().ok());
  const std::string address = api.address();
  ASSERT_TRUE(AgentClient(address, kToken).GetStatus().ok());
  api.Stop();
  EXPECT_EQ(AgentClient(address, kToken, {}, milliseconds(2000)).GetStatus().status().code(),
            StatusCode::kUnavailable);
}

TEST(ControlApiStartTest, RefusesAnIPv6HostNamingIt) {
  FakeReplicationControl control;
  ControlApi api({"::1", 0, kToken}, &control);
  Status started = api.Start();
  EXPECT_EQ(started.code(), StatusCode::kInvalidArgument) << started.ToString();
  EXPECT_NE(started.message().find("host"), std::string::npos) << started.message();
}

}  // namespace
}  // namespace cdr::agent::api::testing
