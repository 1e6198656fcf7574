#include "agent/api/http_endpoint.h"

#include "agent/api/bearer_auth.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "tests/agent_api/control_api_fixture.h"

namespace cdr::agent::api {
namespace {

using testing::Curl;
using testing::CurlReply;
using testing::kToken;

class HttpEndpointTest : public ::testing::Test {
 protected:
  void Start(int max_in_flight = 8, bool browser_login = false) {
    HttpEndpointOptions options;
    options.token = kToken;
    options.browser_login = browser_login;
    options.max_in_flight = max_in_flight;
    endpoint_ = std::make_unique<HttpEndpoint>(options, [this](const HttpRequest& r) {
      ++calls_;
      if (r.path == "/slow") {
        entered_.set_value();
        release_.wait();
      }
      auto it = r.query.find("server");
      return ApiResponse{200, "text/plain", r.path + " " + (it == r.query.end() ? "-" : it->second), {}};
    });
    Status started = endpoint_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
  }
  void TearDown() override {
    if (endpoint_) endpoint_->Stop();
  }
  CurlReply Get(const std::string& path, std::vector<std::string> args = {}) {
    args.insert(args.end(), {"-H", std::string("Authorization: Bearer ") + kToken});
    return Curl(endpoint_->address(), path, args);
  }

  std::unique_ptr<HttpEndpoint> endpoint_;
  std::atomic<int> calls_{0};
  std::promise<void> entered_;
  std::shared_future<void> release_;
};

TEST_F(HttpEndpointTest, ServesGetWithTheTokenAndDecodesTheQuery) {
  Start();
  CurlReply reply = Get("/api/rpo?server=group.web%2Fa");
  ASSERT_EQ(reply.status, 200) << reply.error;
  EXPECT_EQ(reply.body, "/api/rpo group.web/a");
}

TEST_F(HttpEndpointTest, RefusesWithoutTheTokenOtherMethodsAndBodiesBeforeTheHandlerRuns) {
  Start();
  EXPECT_EQ(Curl(endpoint_->address(), "/metrics").status, 401);
  EXPECT_EQ(Curl(endpoint_->address(), "/metrics", {"-H", "Authorization: Bearer wrong"}).status, 401);
  EXPECT_EQ(Get("/metrics", {"-X", "POST"}).status, 405);
  // cpprest answers these itself (TRACE echoing the headers, the token among them) unless they reach Serve.
  CurlReply trace = Get("/metrics", {"-X", "TRACE"});
  EXPECT_EQ(trace.status, 405);
  EXPECT_EQ(trace.body.find(kToken), std::string::npos);
  EXPECT_EQ(Get("/metrics", {"-X", "OPTIONS"}).status, 405);
  EXPECT_EQ(Get("/metrics", {"-X", "GET", "--data-binary", std::string(1 << 16, 'x')}).status, 413);
  EXPECT_EQ(Get("/metrics", {"-X", "GET", "-H", "Transfer-Encoding: chunked", "--data-binary", "x"}).status, 400);
  EXPECT_EQ(Get("/metrics", {"-H", "X-Filler: " + std::string(20 << 10, 'y')}).status, 431);
  EXPECT_EQ(calls_, 0);
}

TEST_F(HttpEndpointTest, BeyondMaxInFlightTheAnswerIs503NotAQueue) {
  std::promise<void> release;
  release_ = release.get_future().share();
  Start(/*max_in_flight=*/1);
  std::future<CurlReply> slow = std::async(std::launch::async, [&] { return Get("/slow"); });
  entered_.get_future().wait();
  EXPECT_EQ(Get("/fast").status, 503);
  release.set_value();
  EXPECT_EQ(slow.get().status, 200);
  EXPECT_EQ(Get("/fast").status, 200);
}

// cdr serve's console: a browser brings the token by its login prompt (Basic), by the link with ?token=, whose
// answer sets a cookie, or by that cookie; a wrong one anywhere is 401, and only the console takes these.
TEST_F(HttpEndpointTest, ABrowserBringsTheTokenByLoginLinkOrCookie) {
  Start(8, /*browser_login=*/true);
  const std::string address = endpoint_->address();
  const CurlReply prompt = Curl(address, "/");
  EXPECT_EQ(prompt.status, 401);
  EXPECT_NE(prompt.Header("WWW-Authenticate").find("Basic realm="), std::string::npos) << prompt.headers;
  EXPECT_EQ(Curl(address, "/", {"-u", std::string("anyone:") + kToken}).status, 200);
  EXPECT_EQ(Curl(address, "/", {"-u", "anyone:wrong"}).status, 401);
  const CurlReply link = Curl(address, std::string("/?token=") + kToken);
  EXPECT_EQ(link.status, 200) << link.error;
  EXPECT_EQ(link.Header("Set-Cookie"), std::string(kTokenCookie) + "=" + kToken + "; HttpOnly; SameSite=Strict; Path=/");
  EXPECT_EQ(Curl(address, "/api/status", {"-H", std::string("Cookie: a=b; ") + kTokenCookie + "=" + kToken}).status,
            200);
  EXPECT_EQ(Curl(address, "/api/status", {"-H", std::string("Cookie: ") + kTokenCookie + "=wrong"}).status, 401);
  EXPECT_EQ(Curl(address, "/?token=wrong").status, 401);
  EXPECT_EQ(Get("/").Header("Set-Cookie"), "") << "the bearer token sets no cookie";
  EXPECT_EQ(Curl(address, "/", {"-X", "OPTIONS", "-u", std::string("a:") + kToken}).status, 405);
}

TEST_F(HttpEndpointTest, WithoutBrowserLoginOnlyTheBearerTokenCounts) {
  Start();
  EXPECT_EQ(Curl(endpoint_->address(), "/", {"-u", std::string("anyone:") + kToken}).status, 401);
  EXPECT_EQ(Curl(endpoint_->address(), std::string("/?token=") + kToken).status, 401);
  EXPECT_EQ(Curl(endpoint_->address(), "/", {"-H", std::string("Cookie: ") + kTokenCookie + "=" + kToken}).status,
            401);
}

}  // namespace
}  // namespace cdr::agent::api
