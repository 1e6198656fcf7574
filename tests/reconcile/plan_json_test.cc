// The plan's JSON form and plan files: Terraform's plan representation (resource_changes, resource_drift,
// prior_state, planned_values) with cdr's fields under "cdr"; a round trip keeps every field; bad documents are
// refused by name.
#include "reconcile/plan_json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>

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
  plan.mode = PlanMode::kNoRefresh;
  plan.targets = {"group.web.server.web-1"};
  plan.changes = {
      {"group.web-prod",
       ResourceKind::kGroup,
       Action::kUpdate,
       Operation::kRename,
       "group.web",
       json{{"name", "web"}},
       json{{"name", "web-prod"}},
       {},
       "renamed from web in the spec"},
      {"group.web-prod.peering",
       ResourceKind::kPeering,
       Action::kCreate,
       Operation::kCreate,
       "",
       nullptr,
       json{{"vpc", "vpc-web"}, {"dr_zone", "az2"}},
       {},
       "new in the spec"},
      {"group.web-prod.server.a",
       ResourceKind::kServer,
       Action::kReplace,
       Operation::kReregister,
       "",
       json{{"host", "h1"}},
       json{{"host", "h2"}},
       {"host"},
       "the host changed"},
      {"group.web-prod.server.b",
       ResourceKind::kServer,
       Action::kTransition,
       Operation::kRegister,
       "",
       json{{"host", "h3"}},
       json{{"host", "h3"}},
       {},
       "the agent install failed before"},
      {"group.web-prod.server.b.shadow_host",
       ResourceKind::kShadowHost,
       Action::kCreate,
       Operation::kCreate,
       "",
       nullptr,
       json{{"zone", "az2"}, {"server_id", "h3"}},
       {},
       "replication needs a shadow host in the DR zone"},
      {"group.web-prod.server.b",
       ResourceKind::kServer,
       Action::kTransition,
       Operation::kStartReplication,
       "",
       json{{"replication", "running"}},
       json{{"replication", "running"}},
       {},
       "replication = \"running\" in the spec"},
      {"group.old.endpoint",
       ResourceKind::kEndpoint,
       Action::kDelete,
       Operation::kDelete,
       "",
       json{{"zone", "az2"}},
       nullptr,
       {},
       ""},
  };
  plan.drifted = {{"group.web-prod.peering", ResourceKind::kPeering, "deleted",
                   "VPC peering pcx-1 was deleted outside cdr"},
                  {"group.web-prod.server.b", ResourceKind::kServer, "agent_stopped",
                   "the cdr agent process is not running"}};
  plan.prior = {
      {"group.web", ResourceKind::kGroup, "created", "", json{{"name", "web"}}},
      {"group.web-prod.server.a", ResourceKind::kServer, "initialized", "h1",
       json{{"host", "h1"}, {"group", "web"}}},
      {"group.web-prod.server.b", ResourceKind::kServer, "agent_install_failed", "h3", json{{"host", "h3"}}},
      {"group.old.endpoint", ResourceKind::kEndpoint, "created", "vpce-1", json{{"zone", "az2"}}},
  };
  return plan;
}

void ExpectSamePlan(const Plan& a, const Plan& b) {
  EXPECT_EQ(a.mode, b.mode);
  EXPECT_EQ(a.errors, b.errors);
  EXPECT_EQ(a.state_serial, b.state_serial);
  EXPECT_EQ(a.spec_digest, b.spec_digest);
  EXPECT_EQ(a.git_commit, b.git_commit);
  EXPECT_EQ(a.git_dirty, b.git_dirty);
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
  ASSERT_EQ(a.prior.size(), b.prior.size());
  for (size_t i = 0; i < a.prior.size(); ++i) {
    EXPECT_EQ(a.prior[i].address, b.prior[i].address);
    EXPECT_EQ(a.prior[i].kind, b.prior[i].kind);
    EXPECT_EQ(a.prior[i].status, b.prior[i].status);
    EXPECT_EQ(a.prior[i].provider_id, b.prior[i].provider_id);
    EXPECT_EQ(a.prior[i].values, b.prior[i].values);
  }
}

TEST(PlanJsonTest, RoundTripKeepsEveryField) {
  const Plan plan = FullPlan();
  json j = PlanToJson(plan);
  EXPECT_EQ(j["format_version"], "2.0");
  EXPECT_EQ(j["applyable"], true);
  EXPECT_EQ(j["complete"], false) << "a targeted plan is not the whole spec";
  EXPECT_EQ(j["errored"], false);
  EXPECT_EQ(j["cdr"]["summary"], (json{{"add", 3}, {"change", 1}, {"destroy", 2}, {"transition", 2}}));
  EXPECT_EQ(j["cdr"]["plan_mode"], "no_refresh");
  const json& rename = j["resource_changes"][0];
  EXPECT_EQ(rename["address"], "group.web-prod");
  EXPECT_EQ(rename["type"], "group");
  EXPECT_EQ(rename["name"], "web-prod");
  EXPECT_EQ(rename["mode"], "managed");
  EXPECT_EQ(rename["previous_address"], "group.web");
  EXPECT_EQ(rename["change"]["actions"], json::array({"update"}));
  EXPECT_EQ(rename["cdr"]["operation"], "rename");
  EXPECT_FALSE(j["resource_changes"][1].contains("previous_address"));
  EXPECT_TRUE(j["resource_changes"][1]["change"]["before"].is_null());
  EXPECT_EQ(j["resource_changes"][1]["change"]["actions"], json::array({"create"}));
  const json& replace = j["resource_changes"][2];
  EXPECT_EQ(replace["name"], "a");
  EXPECT_EQ(replace["change"]["actions"], json::array({"delete", "create"}));
  EXPECT_EQ(replace["change"]["replace_paths"], json::array({json::array({"host"})}));
  EXPECT_EQ(replace["action_reason"], "replace_because_cannot_update");
  EXPECT_EQ(j["resource_changes"][3]["change"]["actions"], json::array({"update"}));
  EXPECT_EQ(j["resource_changes"][3]["cdr"]["action"], "transition");
  EXPECT_EQ(j["resource_changes"][3]["cdr"]["status_before"], "agent_install_failed");
  EXPECT_EQ(j["resource_changes"][0]["cdr"]["status_before"], "created") << "a rename: from its previous address";
  EXPECT_FALSE(j["resource_changes"][1]["cdr"].contains("status_before")) << "not in the state yet";
  EXPECT_EQ(j["resource_changes"][4]["type"], "shadow_host");
  EXPECT_EQ(j["resource_changes"][4]["name"], "b");
  EXPECT_EQ(j["resource_changes"][6]["change"]["actions"], json::array({"delete"}));
  EXPECT_EQ(j["resource_drift"][0]["change"]["actions"], json::array({"delete"}));
  EXPECT_TRUE(j["resource_drift"][0]["change"]["after"].is_null());
  EXPECT_EQ(j["resource_drift"][0]["cdr"]["problem"], "deleted");
  EXPECT_EQ(j["resource_drift"][1]["change"]["actions"], json::array({"update"}));
  EXPECT_EQ(j["resource_drift"][1]["change"]["before"], (json{{"host", "h3"}}));
  const json& prior = j["prior_state"]["values"]["root_module"]["resources"];
  ASSERT_EQ(prior.size(), 4u);
  EXPECT_EQ(prior[1]["values"]["host"], "h1");
  EXPECT_EQ(prior[1]["cdr"]["status"], "initialized");
  EXPECT_FALSE(j.contains("created_at")) << "nothing time-dependent: equal estates give equal plans";
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
  j["format_version"] = "2.7";  // a later minor version adds fields, which this reader ignores
  EXPECT_TRUE(PlanFromJson(j).ok());
  j["format_version"] = "1";  // cdr's own shape before Terraform's
  auto back = PlanFromJson(j);
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(back.status().message(), HasSubstr("format_version 1 is not supported"));
  EXPECT_THAT(back.status().message(), HasSubstr("run `cdr plan -out FILE` again"));

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
      {[](json& j) { j.erase("cdr"); }, "plan.cdr is missing"},
      {[](json& j) { j["cdr"].erase("state_serial"); }, "plan.cdr.state_serial is missing"},
      {[](json& j) { j["cdr"]["state_serial"] = "7"; }, "plan.cdr.state_serial has the wrong type"},
      {[](json& j) { j["cdr"].erase("spec_digest"); }, "plan.cdr.spec_digest is missing"},
      {[](json& j) { j["cdr"]["plan_mode"] = "dry"; }, "plan.cdr.plan_mode `dry` is unknown"},
      {[](json& j) { j.erase("resource_changes"); }, "plan.resource_changes is missing"},
      {[](json& j) { j["resource_changes"][1].erase("type"); }, "plan.resource_changes[1].type is missing"},
      {[](json& j) { j["resource_changes"][1]["type"] = "vm"; }, "plan.resource_changes[1].type `vm` is unknown"},
      {[](json& j) { j["resource_changes"][2].erase("address"); }, "plan.resource_changes[2].address is missing"},
      {[](json& j) { j["resource_changes"][0].erase("change"); }, "plan.resource_changes[0].change is missing"},
      {[](json& j) { j["resource_changes"][0]["cdr"].erase("operation"); },
       "plan.resource_changes[0].cdr.operation is missing"},
      {[](json& j) { j["resource_changes"][0]["cdr"]["action"] = "explode"; },
       "plan.resource_changes[0].cdr.action `explode` is unknown"},
      {[](json& j) { j["resource_changes"][0]["cdr"]["action"] = "no-op"; },
       "plan.resource_changes[0].cdr.action `no-op` is unknown"},
      {[](json& j) { j["resource_changes"][0]["cdr"]["operation"] = "format_disk"; },
       "plan.resource_changes[0].cdr.operation `format_disk` is unknown"},
      // A policy reads change.actions: a file where they do not say what apply does is refused.
      {[](json& j) { j["resource_changes"][6]["change"]["actions"] = json::array({"update"}); },
       "plan.resource_changes[6].change.actions does not match cdr.action `delete`"},
      {[](json& j) { j["resource_changes"][3] = 5; }, "plan.resource_changes[3] is not an object"},
      {[](json& j) { j["resource_drift"][0]["cdr"].erase("problem"); },
       "plan.resource_drift[0].cdr.problem is missing"},
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

// What apply will leave: prior values with each change's `after`, renames moved, deletes gone, creates added.
TEST(PlanJsonTest, PlannedValuesAreThePriorStateWithTheChangesMade) {
  const json planned = PlanToJson(FullPlan())["planned_values"]["root_module"]["resources"];
  std::map<std::string, json> by_address;
  for (const auto& r : planned) by_address[r["address"]] = r["values"];
  EXPECT_FALSE(by_address.count("group.web")) << "renamed";
  EXPECT_EQ(by_address["group.web-prod"], (json{{"name", "web-prod"}}));
  EXPECT_EQ(by_address["group.web-prod.peering"], (json{{"vpc", "vpc-web"}, {"dr_zone", "az2"}}));
  EXPECT_EQ(by_address["group.web-prod.server.a"], (json{{"host", "h2"}})) << "replaced: the new values only";
  EXPECT_EQ(by_address["group.web-prod.server.b"], (json{{"host", "h3"}, {"replication", "running"}}));
  EXPECT_FALSE(by_address.count("group.old.endpoint")) << "deleted";
  EXPECT_EQ(by_address.size(), 5u);
}

// A hand-edited or damaged plan file gets an error, not an uncaught exception from the JSON library.
TEST(PlanJsonTest, OptionalFieldsOfTheWrongTypeAreRefusedNotThrown) {
  const json good = PlanToJson(FullPlan());
  const std::vector<std::function<void(json&)>> damages = {
      [](json& j) { j["cdr"]["git_dirty"] = "yes"; },
      [](json& j) { j["cdr"]["targets"] = json::array({1, 2}); },
      [](json& j) { j["resource_changes"][0]["cdr"]["reason"] = 5; },
      [](json& j) { j["resource_changes"][2]["cdr"]["replace_because"] = "host"; },
      [](json& j) { j["resource_drift"] = json::array({"not an object"}); },
      [](json& j) { j["prior_state"]["values"]["root_module"]["resources"] = 3; },
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

  std::ofstream(dir_ / "broken.plan") << "{\"format_version\": \"2.0\", ";
  EXPECT_FALSE(LoadPlanFile(dir_ / "broken.plan").ok());
}

}  // namespace
}  // namespace cdr::reconcile
