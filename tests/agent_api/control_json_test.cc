#include "agent/api/control_json.h"

#include <gtest/gtest.h>

#include "tests/agent_api/fake_replication_control.h"

namespace cdr::agent::api {
namespace {

using nlohmann::json;

Status TargetError(const json& body) { return ReplicationTargetFromJson(body).status(); }

TEST(ControlJsonTest, FieldNamesAreTheStructMembers) {
  json target = ToJson(ReplicationTarget{"127.0.0.1:7000", "web-1"});
  for (const char* key : {"shadow_address", "server_id", "sync_mode", "auto_restart", "rate_bytes_per_second",
                          "outage_window_seconds"}) {
    EXPECT_TRUE(target.contains(key)) << key;
  }
  json status = ToJson(testing::FakeReplicationControl::SampleStatus());
  for (const char* key : {"server_id", "state", "nbd_address", "shadow_address", "sync_mode", "auto_restart",
                          "lag_seconds", "disks"}) {
    EXPECT_TRUE(status.contains(key)) << key;
  }
  for (const char* key : {"disk", "state", "size_bytes", "progress_percent", "bytes_sent",
                          "full_sync_bytes_sent", "repair_bytes_sent", "journal_seq", "acked_seq",
                          "journal_bytes", "lag_seconds", "link_up", "last_error"}) {
    EXPECT_TRUE(status["disks"][0].contains(key)) << key;
  }
}

TEST(ControlJsonTest, CdrNamesInTheTargetAreOptionalAndRoundTrip) {
  Result<ReplicationTarget> bare = ReplicationTargetFromJson({{"shadow_address", "h:1"}, {"server_id", "host-1"}});
  ASSERT_TRUE(bare.ok()) << bare.status().ToString();
  EXPECT_EQ(bare->group, "");
  EXPECT_EQ(bare->server_name, "");
  ReplicationTarget named{"127.0.0.1:7000", "host-1"};
  named.group = "web-prod";
  named.server_name = "web-1";
  Result<ReplicationTarget> decoded = ReplicationTargetFromJson(ToJson(named));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->group, "web-prod");
  EXPECT_EQ(decoded->server_name, "web-1");
}

TEST(ControlJsonTest, ProductionSeqsRoundTripAndAreTypeChecked) {
  ReplicationTarget target{"127.0.0.1:7000", "dr-1"};
  target.compare_first = true;
  target.production_seqs = {{"vda", 256}, {"vdb", 7}};
  Result<ReplicationTarget> decoded = ReplicationTargetFromJson(ToJson(target));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->production_seqs, target.production_seqs);
  Result<ReplicationTarget> negative = ReplicationTargetFromJson(
      {{"shadow_address", "h:1"}, {"server_id", "dr-1"}, {"production_seqs", {{"vda", -1}}}});
  ASSERT_FALSE(negative.ok());
  EXPECT_NE(negative.status().message().find("production_seqs: .vda must be a non-negative integer"),
            std::string::npos)
      << negative.status().message();
}

TEST(ControlJsonTest, StatusRoundTrips) {
  AgentStatus original = testing::FakeReplicationControl::SampleStatus();
  Result<AgentStatus> decoded = AgentStatusFromJson(json::parse(ToJson(original).dump()));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->state, original.state);
  EXPECT_EQ(decoded->disks[1].size_bytes, original.disks[1].size_bytes);
  EXPECT_DOUBLE_EQ(decoded->disks[1].progress_percent, 42.5);
  EXPECT_EQ(ToJson(*decoded), ToJson(original));
}

TEST(ControlJsonTest, StatusToleratesUnknownFieldsButNotWrongTypes) {
  json body = ToJson(testing::FakeReplicationControl::SampleStatus());
  body["added_by_a_newer_agent"] = 1;
  EXPECT_TRUE(AgentStatusFromJson(body).ok());
  body["disks"][1]["journal_seq"] = -1;
  body["lag_seconds"] = "soon";
  Status error = AgentStatusFromJson(body).status();
  EXPECT_EQ(error.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(error.message().find("disks[1].journal_seq"), std::string::npos) << error.message();
  EXPECT_NE(error.message().find("lag_seconds"), std::string::npos) << error.message();
}

TEST(ControlJsonTest, TargetDefaultsWhenOptionalFieldsAreMissing) {
  Result<ReplicationTarget> t =
      ReplicationTargetFromJson({{"shadow_address", "shadow.local:7000"}, {"server_id", "s"}});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->outage_window_seconds, 300);
  EXPECT_TRUE(t->auto_restart);
  EXPECT_FALSE(t->sync_mode);
  EXPECT_EQ(t->rate_bytes_per_second, 0u);
}

TEST(ControlJsonTest, TargetRoundTrips) {
  ReplicationTarget original{"[fd00::1]:9000", "db-1", true, false, 1234, 60};
  Result<ReplicationTarget> t = ReplicationTargetFromJson(ToJson(original));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(ToJson(*t), ToJson(original));
}

TEST(ControlJsonTest, TargetValidationNamesEveryBadField) {
  Status error = TargetError({{"shadow_address", "127.0.0.1"},
                              {"server_id", ""},
                              {"outage_window_seconds", 0},
                              {"rate_bytes_per_second", -1},
                              {"colour", "blue"}});
  EXPECT_EQ(error.code(), StatusCode::kInvalidArgument);
  for (const char* field :
       {"shadow_address", "server_id", "outage_window_seconds", "rate_bytes_per_second", "colour"}) {
    EXPECT_NE(error.message().find(field), std::string::npos) << field << " in " << error.message();
  }
}

TEST(ControlJsonTest, ShadowAddressMustBeHostColonPort) {
  for (const char* bad :
       {"127.0.0.1", ":7000", "host:", "host:0", "host:65536", "host:7x", "::1:7000", "[::1:7000"}) {
    Status error = TargetError({{"shadow_address", bad}, {"server_id", "s"}});
    EXPECT_EQ(error.code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(error.message().find("shadow_address"), std::string::npos) << error.message();
  }
  for (const char* good : {"127.0.0.1:1", "shadow-1.dr.local:65535", "[::1]:7000"}) {
    EXPECT_TRUE(ValidateHostPort("shadow_address", good).ok()) << good;
  }
}

TEST(ControlJsonTest, TargetRequiredFieldsAndTypes) {
  EXPECT_NE(TargetError(json::object()).message().find("shadow_address: is required"), std::string::npos);
  EXPECT_NE(TargetError(json::object()).message().find("server_id: is required"), std::string::npos);
  EXPECT_NE(
      TargetError({{"shadow_address", 7000}, {"server_id", "s"}}).message().find("shadow_address: must be a"),
      std::string::npos);
  EXPECT_NE(TargetError({{"shadow_address", "h:1"}, {"server_id", "s"}, {"outage_window_seconds", 1e12}})
                .message()
                .find("outage_window_seconds"),
            std::string::npos);
  EXPECT_NE(TargetError(json::array()).message().find("object"), std::string::npos);
}

TEST(ControlJsonTest, VerifyStatusRoundTripsAndAnOlderAgentWithoutItIsNeverVerified) {
  DiskReplicationStatus d;
  d.disk = "vda";
  d.state = "realtime";
  d.verify.outcome = "differs";
  d.verify.reason = "1 block(s) differ";
  d.verify.round_finished_ms = 1765000000000;
  d.verify.difference_offset = 5 << 20;
  d.verify.differences = 2;
  Result<DiskReplicationStatus> back = DiskReplicationStatusFromJson(ToJson(d));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->verify.outcome, "differs");
  EXPECT_EQ(back->verify.round_finished_ms, 1765000000000);
  EXPECT_EQ(back->verify.difference_offset, 5u << 20);
  EXPECT_EQ(back->verify.differences, 2u);
  nlohmann::json older = ToJson(d);
  older.erase("verify");
  back = DiskReplicationStatusFromJson(older);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->verify.outcome, "");
  EXPECT_EQ(back->verify.round_finished_ms, 0);
  older["verify"] = json::parse(R"({"outcome": 3})");
  EXPECT_FALSE(DiskReplicationStatusFromJson(older).ok());

  EXPECT_EQ(VerifyRequestFromJson(nlohmann::json::object())->bytes, 0u);
  Result<VerifyRequest> sample = VerifyRequestFromJson(json::parse(R"({"bytes": 4096})"));
  ASSERT_TRUE(sample.ok()) << sample.status().ToString();
  EXPECT_EQ(sample->bytes, 4096u);
  EXPECT_FALSE(VerifyRequestFromJson(json::parse(R"({"bytes": -1})")).ok());
  EXPECT_FALSE(VerifyRequestFromJson(json::parse(R"({"bytez": 1})")).ok());
  EXPECT_FALSE(VerifyRequestFromJson(json::parse("[]")).ok());
}

TEST(ControlJsonTest, SettingsUpdateTakesOnlyTheGivenFieldsAndRefusesBadOnes) {
  SettingsUpdate partial;
  partial.rate_bytes_per_second = 40ull << 20;
  EXPECT_EQ(ToJson(partial), json::parse(R"({"rate_bytes_per_second": 41943040})"));
  Result<SettingsUpdate> back = SettingsUpdateFromJson(ToJson(partial));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->rate_bytes_per_second, 40ull << 20);
  EXPECT_FALSE(back->sync_mode || back->outage_window_seconds || back->journal_max_bytes);
  Status bad =
      SettingsUpdateFromJson(
          json::parse(
              R"({"sync_mode": "yes", "outage_window_seconds": 0, "journal_max_bytes": 0, "rate": 1})"))
          .status();
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  for (const char* field :
       {"sync_mode", "outage_window_seconds", "journal_max_bytes", "rate: unknown field"}) {
    EXPECT_NE(bad.message().find(field), std::string::npos) << field << " in " << bad.message();
  }
  // An older agent's status has no settings: unknown, not defaults.
  json older = ToJson(testing::FakeReplicationControl::SampleStatus());
  older.erase("settings");
  Result<AgentStatus> status = AgentStatusFromJson(older);
  ASSERT_TRUE(status.ok());
  EXPECT_FALSE(status->settings.has_value());
}

}  // namespace
}  // namespace cdr::agent::api
