// The control API seen by an independent HTTP client (curl): authentication, status codes and bodies.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/agent_api/control_api_fixture.h"

namespace cdr::agent::api::testing {
namespace {

using nlohmann::json;

json ErrorOf(const CurlReply& reply) {
  auto body = json::parse(reply.body, nullptr, false);
  EXPECT_TRUE(body.is_object() && body.contains("error")) << "body: " << reply.body;
  return body.is_object() && body.contains("error") ? body["error"] : json();
}

TEST_F(ControlApiTest, MissingTokenIs401WithBearerChallengeAndNoDetails) {
  CurlReply reply = Curl(address(), "/v1/status");
  EXPECT_EQ(reply.status, 401) << reply.error;
  EXPECT_EQ(reply.Header("WWW-Authenticate"), "Bearer");
  EXPECT_EQ(reply.body, "");
}

TEST_F(ControlApiTest, WrongTokenIs401WhateverItsLength) {
  for (std::string wrong : {std::string("nope"), std::string(kToken).substr(0, 28) + "X",
                            std::string(kToken) + "x", std::string()}) {
    CurlReply reply = Get("/v1/status", wrong);
    EXPECT_EQ(reply.status, 401) << "token '" << wrong << "': " << reply.error;
    EXPECT_EQ(reply.Header("WWW-Authenticate"), "Bearer");
  }
  CurlReply basic = Curl(address(), "/v1/status", {"-u", std::string("user:") + kToken});
  EXPECT_EQ(basic.status, 401) << "the Basic scheme must not pass for a bearer token";
}

TEST_F(ControlApiTest, CommandsWithoutTokenDoNotReachTheControl) {
  EXPECT_EQ(Post("/v1/replication/stop", "", "wrong").status, 401);
  EXPECT_EQ(Curl(address(), "/v1/replication/repair", {"-X", "POST"}).status, 401);
  EXPECT_EQ(Curl(address(), "/no/such/path").status, 401)
      << "unauthenticated clients must not learn the routes";
  EXPECT_TRUE(control_.calls().empty());
}

TEST_F(ControlApiTest, RightTokenGivesStatusJson) {
  CurlReply reply = Get("/v1/status");
  ASSERT_EQ(reply.status, 200) << reply.error << reply.body;
  EXPECT_NE(reply.Header("Content-Type").find("application/json"), std::string::npos);
  json body = json::parse(reply.body);
  EXPECT_EQ(body["server_id"], "web-1");
  EXPECT_EQ(body["state"], "full_sync");
  EXPECT_EQ(body["lag_seconds"], 2.5);
  ASSERT_EQ(body["disks"].size(), 2u);
  EXPECT_EQ(body["disks"][1]["disk"], "vdb");
  EXPECT_EQ(body["disks"][1]["progress_percent"], 42.5);
  EXPECT_EQ(body["disks"][1]["size_bytes"], 1ull << 34);
  EXPECT_EQ(body["disks"][1]["last_error"], "link down: connection refused");
}

TEST_F(ControlApiTest, SchemeIsCaseInsensitive) {
  CurlReply reply = Curl(address(), "/v1/status", {"-H", std::string("Authorization: bearer ") + kToken});
  EXPECT_EQ(reply.status, 200) << reply.error;
}

TEST_F(ControlApiTest, StartIs202WithTheStatusAfterTheCommand) {
  CurlReply reply =
      Post("/v1/replication/start", R"({"shadow_address":"127.0.0.1:7001","server_id":"db-2"})");
  ASSERT_EQ(reply.status, 202) << reply.error << reply.body;
  json body = json::parse(reply.body);
  EXPECT_EQ(body["state"], "replication_starting");
  EXPECT_EQ(body["server_id"], "db-2");
  ASSERT_EQ(control_.targets().size(), 1u);
  EXPECT_EQ(control_.targets()[0].shadow_address, "127.0.0.1:7001");
  EXPECT_EQ(control_.targets()[0].outage_window_seconds, 300) << "a missing field keeps the default";
}

TEST_F(ControlApiTest, StartWithBadBodyIs400NamingTheField) {
  struct Case {
    std::string body;
    std::string field;
  };
  const std::vector<Case> cases = {
      {R"({"shadow_address":"nohost","server_id":"web-1"})", "shadow_address"},
      {R"({"shadow_address":"127.0.0.1:99999","server_id":"web-1"})", "shadow_address"},
      {R"({"shadow_address":"127.0.0.1:7000","server_id":""})", "server_id"},
      {R"({"shadow_address":"127.0.0.1:7000"})", "server_id"},
      {R"({"shadow_address":"127.0.0.1:7000","server_id":"a","outage_window_seconds":0})",
       "outage_window_seconds"},
      {R"({"shadow_address":"127.0.0.1:7000","server_id":"a","sync_mode":"yes"})", "sync_mode"},
      {R"({"shadow_address":"127.0.0.1:7000","server_id":"a","rate_bytes_per_sec":5})", "rate_bytes_per_sec"},
      {R"({"shadow_address":"127.0.0.1:7000",)", "not valid JSON"},
      {R"([1,2])", "JSON object"},
  };
  for (const auto& c : cases) {
    CurlReply reply = Post("/v1/replication/start", c.body);
    EXPECT_EQ(reply.status, 400) << c.body;
    EXPECT_NE(ErrorOf(reply).dump().find(c.field), std::string::npos) << c.body << " → " << reply.body;
  }
  EXPECT_TRUE(control_.calls().empty()) << "a refused body must not reach the control";
}

TEST_F(ControlApiTest, FailedPreconditionIs409WithTheControlsMessage) {
  const std::string message = "cannot repair: the agent is in state realtime, not replication_error";
  control_.SetResult("repair", FailedPrecondition(message));
  CurlReply reply = Post("/v1/replication/repair", "");
  EXPECT_EQ(reply.status, 409) << reply.error;
  EXPECT_EQ(ErrorOf(reply), message);
}

TEST_F(ControlApiTest, OtherControlErrorsAre500) {
  control_.SetResult("stop", DataLoss("journal segment 3 is corrupt"));
  CurlReply reply = Post("/v1/replication/stop", "");
  EXPECT_EQ(reply.status, 500);
  EXPECT_EQ(ErrorOf(reply), "journal segment 3 is corrupt");
  control_.SetStatusError(Internal("status unavailable"));
  EXPECT_EQ(Get("/v1/status").status, 500);
  EXPECT_EQ(Get("/metrics").status, 500);
}

TEST_F(ControlApiTest, UnknownPathIs404AndWrongMethodIs405) {
  CurlReply missing = Get("/v1/nothing");
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(ErrorOf(missing).dump().find("/v1/nothing"), std::string::npos);
  CurlReply get_start = Get("/v1/replication/start");
  EXPECT_EQ(get_start.status, 405);
  EXPECT_EQ(get_start.Header("Allow"), "POST");
  CurlReply post_status = Post("/v1/status", "{}");
  EXPECT_EQ(post_status.status, 405);
  EXPECT_EQ(post_status.Header("Allow"), "GET");
  EXPECT_TRUE(control_.calls().empty());
}

TEST_F(ControlApiTest, EveryCommandRouteReachesItsCommand) {
  EXPECT_EQ(Post("/v1/replication/stop", "").status, 202);
  EXPECT_EQ(Post("/v1/replication/restart", "").status, 202);
  CurlReply repair = Post("/v1/replication/repair", "");
  EXPECT_EQ(repair.status, 202);
  EXPECT_EQ(json::parse(repair.body)["state"], "repair_starting");
  EXPECT_EQ(control_.calls(), (std::vector<std::string>{"stop", "restart", "repair"}));
}

TEST_F(ControlApiTest, QueryStringDoesNotChangeTheRoute) {
  EXPECT_EQ(Get("/v1/status?verbose=1").status, 200);
}

}  // namespace
}  // namespace cdr::agent::api::testing
