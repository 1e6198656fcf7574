// Issue #13 finding 5 on cdr-shadow: a frame's announced payload was allocated before any of it arrived
// (8 connections announcing 64 MiB → +512 MiB), and every idle connection got a thread, without a cap or a
// handshake timeout. Memory is read from the real process's /proc/PID/status.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/wire_frame.h"
#include "shadow/shadow_server.h"
#include "tests/shadow/shadow_test_util.h"

namespace cdr::shadow {
namespace {

int Connect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  timeval timeout{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  return fd;
}

bool Hello(int fd, const std::string& disk) {
  if (!wire::WriteAll(fd, wire::EncodeFrame(wire::FrameType::kHello, 0,
                                            wire::EncodeHello({"web-1", disk, 1 << 20, 4096, 9, 0}), false))
           .ok()) {
    return false;
  }
  wire::Frame f;
  return wire::ReadFrame(fd, &f).ok() && f.type == wire::FrameType::kHelloAck &&
         wire::DecodeHelloAck(f.payload)->accepted;
}

// True when the peer closed the connection within `within`.
bool ClosedWithin(int fd, std::chrono::seconds within) {
  timeval timeout{static_cast<time_t>(within.count()), 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  char byte;
  while (true) {
    const ssize_t n = ::recv(fd, &byte, 1, 0);
    if (n == 0 || (n < 0 && errno == ECONNRESET)) return true;
    if (n < 0) return false;  // timed out, still open
  }
}

TEST(ShadowBoundedResourcesTest, FramesAnnouncing64MiBCostOnlyTheBytesThatArrive) {
  testing::TempDir tmp;
  testing::ShadowProcess shadow(tmp.path(), tmp / "replicas");
  ASSERT_TRUE(shadow.started()) << shadow.log();
  const std::vector<uint8_t> big(wire::kMaxPayload, 0);
  const std::span<const uint8_t> pieces[] = {big};
  const wire::FrameEnvelope envelope = wire::EncodeFrameEnvelope(wire::FrameType::kData, 1, pieces);
  const int64_t before = testing::ProcessStatusField(shadow.child().pid(), "VmRSS");
  std::vector<int> fds;
  for (int i = 0; i < 8; ++i) {
    const int fd = Connect(shadow.port());
    ASSERT_GE(fd, 0);
    ASSERT_TRUE(Hello(fd, "d" + std::to_string(i))) << shadow.log();
    ASSERT_TRUE(wire::WriteAll(fd, envelope.header).ok());
    ASSERT_TRUE(wire::WriteAll(fd, std::span(big).first(256 << 10)).ok());
    fds.push_back(fd);
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const int64_t after = testing::ProcessStatusField(shadow.child().pid(), "VmRSS");
  std::printf("cdr-shadow RSS: %lld KiB before, %lld KiB with 8 frames announcing 64 MiB\n",
              static_cast<long long>(before), static_cast<long long>(after));
  EXPECT_LT(after - before, 64 << 10) << "announced payloads were allocated up front";
  for (int fd : fds) ::close(fd);
}

TEST(ShadowBoundedResourcesTest, ConnectionsAreCappedAndASilentOneIsClosedAfterTheHandshakeTimeout) {
  testing::TempDir tmp;
  ShadowOptions options{"127.0.0.1", 0, tmp / "replicas"};
  options.max_connections = 4;
  options.handshake_timeout = std::chrono::milliseconds(500);
  ShadowServer server(options);
  ASSERT_TRUE(server.Start().ok());
  const int port = std::stoi(server.address().substr(10));
  std::vector<int> fds;
  for (int i = 0; i < 10; ++i) fds.push_back(Connect(port));
  int closed_at_once = 0;
  for (int i = 4; i < 10; ++i) closed_at_once += ClosedWithin(fds[i], std::chrono::seconds(2)) ? 1 : 0;
  EXPECT_EQ(closed_at_once, 6) << "connections over the cap were kept";
  for (int i = 0; i < 4; ++i)
    EXPECT_TRUE(ClosedWithin(fds[i], std::chrono::seconds(5))) << "no HELLO, still open";
  for (int fd : fds) ::close(fd);
  const int fd = Connect(port);
  EXPECT_TRUE(Hello(fd, "vda")) << "a real agent gets in once the silent ones are gone";
  ::close(fd);
  server.Stop();
}

}  // namespace
}  // namespace cdr::shadow
