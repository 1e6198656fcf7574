// Issue #13 findings 5 and 8 on the control API of a real cdr-agent, spoken to over a raw socket so the test
// controls every header and byte: the token and the size are checked before any body is read, OPTIONS and
// TRACE are refused, and nothing large is echoed. Memory is read from the agent's /proc/PID/status.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "tests/agent/agent_with_api.h"

namespace cdr::agent {
namespace {

using namespace cdr::agent::testing;
namespace fs = std::filesystem;

struct RawReply {
  int status = 0;
  std::string text;  // status line, headers and body
};

class ControlApiLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(tmp_ / "state");
    std::ofstream(tmp_ / "vda.img").close();
    fs::resize_file(tmp_ / "vda.img", 1 << 20);
    agent_ = std::make_unique<AgentWithApi>(tmp_ / "agent", tmp_ / "state", tmp_ / "vda.img",
                                            std::vector<std::string>{});
    ASSERT_TRUE(agent_->started()) << agent_->log();
  }

  int64_t RssKib() { return ProcessStatusField(agent_->child().pid(), "VmRSS"); }

  // Sends `head`, then up to `body_bytes` of `fill` (stopping when the agent closes), and reads the reply.
  RawReply Send(const std::string& head, uint64_t body_bytes = 0, char fill = 'x') {
    const std::string address = agent_->ready()["api_address"].get<std::string>();
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(std::stoi(address.substr(address.rfind(':') + 1))));
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    timeval timeout{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    ::send(fd, head.data(), head.size(), MSG_NOSIGNAL);
    const std::string chunk(1 << 20, fill);
    for (uint64_t sent = 0; sent < body_bytes;) {
      const ssize_t n =
          ::send(fd, chunk.data(), std::min<uint64_t>(chunk.size(), body_bytes - sent), MSG_NOSIGNAL);
      if (n <= 0) break;  // the agent closed the connection: what it refused it does not read
      sent += static_cast<uint64_t>(n);
    }
    RawReply reply;
    char buf[4096];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) reply.text.append(buf, static_cast<size_t>(n));
    ::close(fd);
    if (reply.text.rfind("HTTP/1.1 ", 0) == 0) reply.status = std::stoi(reply.text.substr(9, 3));
    return reply;
  }
  std::string Head(const std::string& method, const std::string& path, const std::string& headers) {
    return method + " " + path + " HTTP/1.1\r\nHost: x\r\n" + headers + "\r\n";
  }
  std::string Bearer() { return std::string("Authorization: Bearer ") + kApiToken + "\r\n"; }

  TempDir tmp_;
  std::unique_ptr<AgentWithApi> agent_;
};

// 64 MiB are sent of each announced body (the issue used 512 and 256 MiB): enough to show that they are not
// buffered, without risking a shared machine's memory if they were.
TEST_F(ControlApiLimitsTest, AnOversizedBodyIsRefusedBeforeItIsReadWithOrWithoutTheToken) {
  const int64_t before = RssKib();
  RawReply no_token =
      Send(Head("POST", "/v1/replication/start", "Content-Length: 536870912\r\n"), 64ull << 20);
  EXPECT_EQ(no_token.status, 401) << no_token.text;
  RawReply with_token =
      Send(Head("POST", "/v1/replication/start", Bearer() + "Content-Length: 268435456\r\n"), 64ull << 20);
  EXPECT_EQ(with_token.status, 413) << with_token.text;
  const int64_t after = RssKib();
  std::printf("control API RSS: %lld KiB before, %lld KiB after 2 refused bodies of 64 MiB sent\n",
              static_cast<long long>(before), static_cast<long long>(after));
  EXPECT_LT(after - before, 32 << 10) << "the refused bodies were buffered";
  EXPECT_EQ(agent_->Get("/v1/status").code, 200) << "the agent still answers";
}

TEST_F(ControlApiLimitsTest, ChunkedBodiesAndContentLengthWithTransferEncodingAre400) {
  const std::string empty_chunked_body = "0\r\n\r\n";
  EXPECT_EQ(Send(Head("POST", "/v1/replication/stop", Bearer() + "Transfer-Encoding: chunked\r\n") +
                 empty_chunked_body)
                .status,
            400);
  EXPECT_EQ(Send(Head("POST", "/v1/replication/stop",
                      Bearer() + "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n") +
                 empty_chunked_body)
                .status,
            400);
  EXPECT_EQ(Send(Head("POST", "/v1/replication/stop", Bearer() + "Content-Length: 1x\r\n") + "x").status,
            400);
}

TEST_F(ControlApiLimitsTest, HugeHeadersAre431) {
  RawReply reply =
      Send(Head("GET", "/v1/status", Bearer() + "X-Big: " + std::string(20 << 10, 'h') + "\r\n"));
  EXPECT_EQ(reply.status, 431) << reply.text.substr(0, 200);
  EXPECT_EQ(reply.text.find("hhhh"), std::string::npos);
}

TEST_F(ControlApiLimitsTest, OptionsAndTraceAre405AndEchoNothing) {
  for (const std::string method : {"OPTIONS", "TRACE"}) {
    RawReply reply = Send(Head(method, "/v1/status", "X-Secret-Echo: marker-123\r\n"));
    EXPECT_EQ(reply.status, 405) << method << ": " << reply.text;
    EXPECT_EQ(reply.text.find("marker-123"), std::string::npos) << method << " echoed a header";
  }
}

TEST_F(ControlApiLimitsTest, AnOverLongFieldIsNotEchoedInA400) {
  const std::string body =
      R"({"shadow_address": ")" + std::string(60 << 10, 'a') + R"(", "server_id": "web-1"})";
  RawReply reply =
      Send(Head("POST", "/v1/replication/start",
                Bearer() + "Connection: close\r\nContent-Type: application/json\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\n") +
           body);
  EXPECT_EQ(reply.status, 400) << reply.text.substr(0, 300);
  EXPECT_LT(reply.text.size(), 2048u) << reply.text.substr(0, 300);
}

}  // namespace
}  // namespace cdr::agent
