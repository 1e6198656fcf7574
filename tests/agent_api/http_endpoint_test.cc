#include "agent/api/http_endpoint.h"

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
  void Start(int max_in_flight = 8) {
    HttpEndpointOptions options;
    options.token = kToken;
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

}  // namespace
}  // namespace cdr::agent::api
