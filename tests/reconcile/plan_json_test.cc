// The plan's JSON form and plan files: a round trip keeps every field; bad documents are refused by name.
#include "reconcile/plan_json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "reconcile/plan_file.h"
#include "tests/reconcile/reconcile_fixture.h"

namespace cdr::reconcile {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

// A plan using every field: each action and resource kind, a rename, replace_because, drift, git info.
Plan FullPlan() {
  Plan plan;
  plan.state_serial = 7;
  plan.spec_digest = "sha256:abc";
  plan.git_commit = "0123456789abcdef0123456789abcdef01234567";
  plan.git_dirty = true;
  plan.created_at = 1764000000123;
  plan.targets = {"group.web.server.web-1"};
  plan.changes = {
      {"group.web-prod",
       "group",
       Action::kUpdate,
       "rename",
       "group.web",
       json{{"name", "web"}},
       json{{"name", "web-prod"}},
       {},
       "renamed from web in the spec"},
      {"group.web-prod.peering",
       "peering",
       Action::kCreate,
       "create",
       "",
       nullptr,
       json{{"vpc", "vpc-web"}, {"dr_zone", "az2"}},
       {},
       "new in the spec"},
      {"group.web-prod.server.a",
       "server",
       Action::kReplace,
       "reregister",
       "",
       json{{"host", "h1"}},
       json{{"host", "h2"}},
       {"host"},
       "the host changed"},
      {"group.web-prod.server.b",
       "server",
       Action::kTransition,
       "register",
       "",
       json{{"host", "h3"}},
       json{{"host", "h3"}},
       {},
       "the agent install failed before"},
      {"group.web-prod.server.b.shadow_host",
       "shadow_host",
       Action::kCreate,
       "create",
       "",
       nullptr,
       json{{"zone", "az2"}, {"server_id", "h3"}},
       {},
       "replication needs a shadow host in the DR zone"},
      {"group.web-prod.server.b",
       "server",
       Action::kTransition,
       "start_replication",
       "",
       json{{"replication", "running"}},
       json{{"replication", "running"}},
       {},
       "replication = \"running\" in the spec"},
      {"group.old.endpoint",
       "endpoint",
       Action::kDelete,
       "delete",
       "",
       json{{"zone", "az2"}},
       nullptr,
       {},
       ""},
  };
  plan.drifted = {
      {"group.web-prod.peering", "peering", "deleted", "VPC peering pcx-1 was deleted outside cdr"}};
  return plan;
}

void ExpectSamePlan(const Plan& a, const Plan& b) {
  EXPECT_EQ(a.format_version, b.format_version);
  EXPECT_EQ(a.state_serial, b.state_serial);
  EXPECT_EQ(a.spec_digest, b.spec_digest);
  EXPECT_EQ(a.git_commit, b.git_commit);
  EXPECT_EQ(a.git_dirty, b.git_dirty);
  EXPECT_EQ(a.created_at, b.created_at);
  EXPECT_EQ(a.targets, b.targets);
  ASSERT_EQ(a.changes.size(), b.changes.size());
  for (size_t i = 0; i < a.changes.size(); ++i) {
    const ResourceChange& x = a.changes[i];
    const ResourceChange& y = b.changes[i];
    EXPECT_EQ(x.address, y.address) << i;
    EXPECT_EQ(x.kind, y.kind) << i;
    EXPECT_EQ(x.action, y.action) << i;
    EXPECT_EQ(x.operation, y.operation) << i;
    EXPECT_EQ(x.previous_address, y.previous_address) << i;
    EXPECT_EQ(x.before, y.before) << i;
    EXPECT_EQ(x.after, y.after) << i;
    EXPECT_EQ(x.replace_because, y.replace_because) << i;
    EXPECT_EQ(x.reason, y.reason) << i;
  }
  ASSERT_EQ(a.drifted.size(), b.drifted.size());
  for (size_t i = 0; i < a.drifted.size(); ++i) {
    EXPECT_EQ(a.drifted[i].address, b.drifted[i].address);
    EXPECT_EQ(a.drifted[i].kind, b.drifted[i].kind);
    EXPECT_EQ(a.drifted[i].problem, b.drifted[i].problem);
    EXPECT_EQ(a.drifted[i].detail, b.drifted[i].detail);
  }
}

TEST(PlanJsonTest, RoundTripKeepsEveryField) {
  const Plan plan = FullPlan();
  json j = PlanToJson(plan);
  EXPECT_EQ(j["format_version"], "1");
  EXPECT_EQ(j["summary"], (json{{"add", 3}, {"change", 1}, {"destroy", 2}, {"transition", 2}}));
  EXPECT_EQ(j["changes"][0]["action"], "update");
  EXPECT_EQ(j["changes"][0]["previous_address"], "group.web");
  EXPECT_FALSE(j["changes"][1].contains("previous_address"));
  EXPECT_EQ(j["changes"][2]["replace_because"], json::array({"host"}));
  EXPECT_TRUE(j["changes"][1]["before"].is_null());
  auto back = PlanFromJson(j);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ExpectSamePlan(plan, *back);
  // And through text, where non-negative integers come back unsigned.
  auto reparsed = PlanFromJson(json::parse(j.dump()));
  ASSERT_TRUE(reparsed.ok()) << reparsed.status().ToString();
  ExpectSamePlan(plan, *reparsed);
}

class PlanJsonRealPlanTest : public test_util::ReconcileTest {};

TEST_F(PlanJsonRealPlanTest, RoundTripOfAMadePlan) {
  Plan plan = CleanPlanFor(test_util::WebSpec());
  ASSERT_EQ(plan.changes.size(), 5u);
  auto back = PlanFromJson(json::parse(PlanToJson(plan).dump()));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ExpectSamePlan(plan, *back);
}

TEST(PlanJsonTest, OtherFormatVersionIsRefused) {
  json j = PlanToJson(FullPlan());
  j["format_version"] = "2";
  auto back = PlanFromJson(j);
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(back.status().message(), HasSubstr("format_version 2 is not supported"));

  j["format_version"] = 1;  // a number, not the string the format writes
  back = PlanFromJson(j);
  ASSERT_FALSE(back.ok());
  EXPECT_THAT(back.status().message(), HasSubstr("plan.format_version has the wrong type"));
}

TEST(PlanJsonTest, MissingFieldsAreNamed) {
  const json good = PlanToJson(FullPlan());
  struct Case {
    std::function<void(json&)> damage;
    std::string message;
  };
  const std::vector<Case> cases = {
      {[](json& j) { j.erase("format_version"); }, "plan.format_version is missing"},
      {[](json& j) { j.erase("state_serial"); }, "plan.state_serial is missing"},
      {[](json& j) { j["state_serial"] = "7"; }, "plan.state_serial has the wrong type"},
      {[](json& j) { j.erase("spec_digest"); }, "plan.spec_digest is missing"},
      {[](json& j) { j.erase("changes"); }, "plan.changes is missing"},
      {[](json& j) { j["changes"][1].erase("kind"); }, "plan.changes[1].kind is missing"},
      {[](json& j) { j["changes"][1]["kind"] = "vm"; }, "plan.changes[1].kind `vm` is unknown"},
      {[](json& j) { j["changes"][2].erase("address"); }, "plan.changes[2].address is missing"},
      {[](json& j) { j["changes"][0].erase("operation"); }, "plan.changes[0].operation is missing"},
      {[](json& j) { j["changes"][0]["action"] = "explode"; }, "plan.changes[0].action `explode` is unknown"},
      {[](json& j) { j["changes"][0]["action"] = "no-op"; }, "plan.changes[0].action `no-op` is unknown"},
      {[](json& j) { j["changes"][3] = 5; }, "plan.changes[3] is not an object"},
  };
  for (const Case& c : cases) {
    json j = good;
    c.damage(j);
    auto back = PlanFromJson(j);
    ASSERT_FALSE(back.ok()) << c.message;
    EXPECT_EQ(back.status().code(), StatusCode::kInvalidArgument) << c.message;
    EXPECT_THAT(back.status().message(), HasSubstr(c.message));
  }
  EXPECT_FALSE(PlanFromJson(json::array()).ok());
}

// A hand-edited or damaged plan file gets an error, not an uncaught exception from the JSON library.
TEST(PlanJsonTest, CreatedAtIsRfc3339AndOlderPlansInMillisecondsStillRead) {
  json j = PlanToJson(FullPlan());
  EXPECT_EQ(j["created_at"], "2025-11-24T16:00:00.123000000Z");
  j["created_at"] = 1764000000123;  // a plan saved by an older cdr
  auto old = PlanFromJson(j);
  ASSERT_TRUE(old.ok()) << old.status().ToString();
  EXPECT_EQ(old->created_at, 1764000000123);
}

TEST(PlanJsonTest, OptionalFieldsOfTheWrongTypeAreRefusedNotThrown) {
  const json good = PlanToJson(FullPlan());
  const std::vector<std::function<void(json&)>> damages = {
      [](json& j) { j["git_dirty"] = "yes"; },
      [](json& j) { j["created_at"] = "yesterday"; },
      [](json& j) { j["targets"] = json::array({1, 2}); },
      [](json& j) { j["changes"][0]["reason"] = 5; },
      [](json& j) { j["changes"][2]["replace_because"] = "host"; },
      [](json& j) { j["drifted"] = json::array({"not an object"}); },
  };
  for (size_t i = 0; i < damages.size(); ++i) {
    json j = good;
    damages[i](j);
    Result<Plan> back = Plan{};
    EXPECT_NO_THROW(back = PlanFromJson(j)) << "case " << i;
    EXPECT_FALSE(back.ok()) << "case " << i;
  }
}

class PlanFileTest : public test_util::ReconcileTest {};

TEST_F(PlanFileTest, SaveAndLoadRoundTrip) {
  const Plan plan = FullPlan();
  const auto path = dir_ / "plans" / "next.plan";
  ASSERT_TRUE(SavePlanFile(path, plan).ok());
  auto back = LoadPlanFile(path);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ExpectSamePlan(plan, *back);
}

TEST_F(PlanFileTest, LoadRefusesMissingAndMalformedFiles) {
  EXPECT_FALSE(LoadPlanFile(dir_ / "absent.plan").ok());

  const auto path = dir_ / "old.plan";
  json j = PlanToJson(FullPlan());
  j["format_version"] = "0";
  std::ofstream(path) << j.dump();
  auto back = LoadPlanFile(path);
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(back.status().message(), HasSubstr(path.string()));
  EXPECT_THAT(back.status().message(), HasSubstr("format_version 0 is not supported"));

  std::ofstream(dir_ / "broken.plan") << "{\"format_version\": \"1\", ";
  EXPECT_FALSE(LoadPlanFile(dir_ / "broken.plan").ok());
}

}  // namespace
}  // namespace cdr::reconcile
