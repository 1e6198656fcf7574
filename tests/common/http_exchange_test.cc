// HttpExchange against a peer that is a plain socket the test writes canned replies into: every shape of
// response cdr's clients must read (length, chunked, read to close) and every way a hostile or broken server
// can answer (too large, malformed, cut short, silent).
#include "common/http_exchange.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

namespace cdr {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

class HttpExchangeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    int fds[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
    client_ = std::make_unique<PlainStream>(fds[0], /*owns=*/true);
    server_fd_ = fds[1];
  }
  void TearDown() override {
    if (server_.joinable()) server_.join();
    if (server_fd_ >= 0) ::close(server_fd_);
  }

  // The server reads the request (up to its blank line and Content-Length bytes), keeps it, writes `reply`
  // and, if `close_after`, closes its end.
  void Serve(std::string reply, bool close_after = false) {
    server_ = std::thread([this, reply = std::move(reply), close_after] {
      std::string got;
      char buf[4096];
      while (got.find("\r\n\r\n") == std::string::npos) {
        const ssize_t n = ::recv(server_fd_, buf, sizeof buf, 0);
        if (n <= 0) return;
        got.append(buf, static_cast<size_t>(n));
      }
      const size_t length_at = got.find("Content-Length: ");
      const size_t body_at = got.find("\r\n\r\n") + 4;
      if (length_at != std::string::npos) {
        const size_t length = std::stoul(got.substr(length_at + 16));
        while (got.size() < body_at + length) {
          const ssize_t n = ::recv(server_fd_, buf, sizeof buf, 0);
          if (n <= 0) return;
          got.append(buf, static_cast<size_t>(n));
        }
      }
      request_ = got;
      ::send(server_fd_, reply.data(), reply.size(), MSG_NOSIGNAL);
      if (close_after) {
        ::close(server_fd_);
        server_fd_ = -1;
      }
    });
  }

  Result<HttpResponse> Exchange(HttpRequest request = Get(), HttpExchangeError* error = nullptr,
                                HttpLimits limits = {}, milliseconds within = milliseconds(5000)) {
    Result<HttpResponse> r = HttpExchange(*client_, request, steady_clock::now() + within, limits, error);
    if (server_.joinable()) server_.join();
    return r;
  }

  static HttpRequest Get() { return {"GET", "/v1/status", "127.0.0.1:9", {{"Authorization", "Bearer t"}}, "", ""}; }

  std::unique_ptr<PlainStream> client_;
  int server_fd_ = -1;
  std::thread server_;
  std::string request_;
};

TEST_F(HttpExchangeTest, ReadsALengthDelimitedReplyAndKeepsTheConnection) {
  Serve("HTTP/1.1 200 OK\r\nContent-Length: 11\r\nContent-Type: application/json\r\n\r\n{\"ok\":true}");
  Result<HttpResponse> r = Exchange();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "{\"ok\":true}");
  EXPECT_TRUE(r->keep_alive);
  EXPECT_EQ(request_.rfind("GET /v1/status HTTP/1.1\r\nHost: 127.0.0.1:9\r\nAuthorization: Bearer t\r\n", 0), 0u)
      << request_;
}

TEST_F(HttpExchangeTest, APostCarriesItsBodyWithItsLength) {
  Serve("HTTP/1.1 409 Conflict\r\nContent-Length: 2\r\n\r\n{}");
  HttpRequest post{"POST", "/v1/replication/start", "h:1", {}, R"({"server_id":"web-1"})", "application/json"};
  Result<HttpResponse> r = Exchange(post);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 409);
  EXPECT_NE(request_.find("Content-Length: 21\r\n\r\n{\"server_id\":\"web-1\"}"), std::string::npos) << request_;
}

TEST_F(HttpExchangeTest, KeepsTheHeadersAndFindsOneWhateverItsCase) {
  Serve("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 7\r\nX-Empty:\r\nContent-Length: 0\r\n\r\n");
  Result<HttpResponse> r = Exchange();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->headers.size(), 3u);
  EXPECT_EQ(r->Header("retry-after"), "7");
  EXPECT_EQ(r->Header("RETRY-AFTER"), "7");
  EXPECT_EQ(r->Header("Content-Length"), "0");
  EXPECT_EQ(r->Header("X-Empty"), "");
  EXPECT_EQ(r->Header("Location"), "");
}

TEST_F(HttpExchangeTest, AssemblesAChunkedReply) {
  Serve("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n3\r\nefg\r\n0\r\n\r\n");
  Result<HttpResponse> r = Exchange();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, "abcdefg");
  EXPECT_TRUE(r->keep_alive);
}

TEST_F(HttpExchangeTest, ReadsABodyThatEndsWithTheConnection) {
  Serve("HTTP/1.0 200 OK\r\n\r\nall of it", /*close_after=*/true);
  Result<HttpResponse> r = Exchange();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, "all of it");
  EXPECT_FALSE(r->keep_alive);
}

TEST_F(HttpExchangeTest, ConnectionCloseIsNotKeptAlive) {
  Serve("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
  Result<HttpResponse> r = Exchange();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->keep_alive);
}

TEST_F(HttpExchangeTest, ADeclaredBodyOverTheLimitIsRefusedBeforeItIsRead) {
  Serve("HTTP/1.1 200 OK\r\nContent-Length: 5000000\r\n\r\n");
  Result<HttpResponse> r = Exchange(Get(), nullptr, {.max_header_bytes = 1024, .max_body_bytes = 1000});
  ASSERT_EQ(r.status().code(), StatusCode::kInternal) << r.status().ToString();
  EXPECT_NE(r.status().message().find("larger than 1000"), std::string::npos) << r.status().message();
}

TEST_F(HttpExchangeTest, AChunkedBodyOverTheLimitIsRefused) {
  Serve("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + std::string("400\r\n") + std::string(1024, 'x') +
        "\r\n0\r\n\r\n");
  Result<HttpResponse> r = Exchange(Get(), nullptr, {.max_header_bytes = 1024, .max_body_bytes = 1000});
  ASSERT_EQ(r.status().code(), StatusCode::kInternal) << r.status().ToString();
  EXPECT_NE(r.status().message().find("body larger than 1000"), std::string::npos) << r.status().message();
}

TEST_F(HttpExchangeTest, HeadersOverTheLimitAreRefused) {
  Serve("HTTP/1.1 200 OK\r\nX-Filler: " + std::string(4000, 'y') + "\r\nContent-Length: 0\r\n\r\n");
  Result<HttpResponse> r = Exchange(Get(), nullptr, {.max_header_bytes = 1024, .max_body_bytes = 1000});
  ASSERT_EQ(r.status().code(), StatusCode::kInternal) << r.status().ToString();
  EXPECT_NE(r.status().message().find("headers larger than 1024"), std::string::npos) << r.status().message();
}

TEST_F(HttpExchangeTest, NotHttpIsMalformed) {
  Serve("SSH-2.0-OpenSSH_9.2\r\n\r\n");
  Result<HttpResponse> r = Exchange();
  ASSERT_EQ(r.status().code(), StatusCode::kInternal) << r.status().ToString();
  EXPECT_NE(r.status().message().find("malformed HTTP response"), std::string::npos) << r.status().message();
}

TEST_F(HttpExchangeTest, AReplyCutShortIsUnavailableAndSaysItStarted) {
  Serve("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this", /*close_after=*/true);
  HttpExchangeError error;
  Result<HttpResponse> r = Exchange(Get(), &error);
  ASSERT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status().ToString();
  EXPECT_TRUE(error.response_started);
}

TEST_F(HttpExchangeTest, AClosedConnectionBeforeAnyReplyIsUnavailableAndSaysNothingStarted) {
  Serve("", /*close_after=*/true);
  HttpExchangeError error;
  Result<HttpResponse> r = Exchange(Get(), &error);
  ASSERT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status().ToString();
  EXPECT_FALSE(error.response_started);
}

TEST_F(HttpExchangeTest, ASilentServerIsUnavailableAtTheDeadline) {
  Serve("HTTP/1.1 200 OK\r\n");  // the status line, then nothing
  const auto start = steady_clock::now();
  Result<HttpResponse> r = Exchange(Get(), nullptr, {}, milliseconds(300));
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status().ToString();
  EXPECT_LT(steady_clock::now() - start, milliseconds(3000));
}

TEST_F(HttpExchangeTest, ALineBreakInAHeaderIsRefusedAndNothingIsSent) {
  HttpRequest smuggled = Get();
  smuggled.headers = {{"Authorization", "Bearer t\r\nX-Evil: 1"}};
  Result<HttpResponse> r = HttpExchange(*client_, smuggled, steady_clock::now() + milliseconds(1000));
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
  client_->Shutdown();
  char c;
  EXPECT_EQ(::recv(server_fd_, &c, 1, 0), 0) << "not one byte reached the server";
}

}  // namespace
}  // namespace cdr
