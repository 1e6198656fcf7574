// Shadow hosts with the real cdr-shadow: create (idempotent by client token), describe, restart, delete.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "providers/local/internal/layout.h"
#include "providers/local/internal/process_probe.h"
#include "providers/local/internal/records.h"
#include "providers/local/local_provider.h"
#include "tests/providers/process_cloud.h"

namespace cdr::providers::local {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

class LocalShadowHostsTest : public test_util::ProcessCloudTest {
 protected:
  static ShadowHostRequest Request(std::string token) {
    return {.client_token = std::move(token),
            .name = "shadow-host-1",
            .zone = "az2",
            .vpc = "vpc-prod",
            .server_id = "host-1",
            .disk_type = "ssd"};
  }
  int RecordedPid(const std::string& id) {
    auto record = internal::ReadShadow(internal::ShadowFile(root_, id));
    return record.ok() ? record->pid : 0;
  }
  ShadowHost Create(const std::string& token) {
    auto shadow = provider_->CreateShadowHost(Request(token));
    EXPECT_TRUE(shadow.ok()) << shadow.status().ToString();
    return shadow.ok() ? *shadow : ShadowHost{};
  }
};

TEST_F(LocalShadowHostsTest, CreateStartsAShadowListeningForReplication) {
  const ShadowHost shadow = Create("tok-1");
  EXPECT_THAT(shadow.id, MatchesRegex("shadow-[0-9a-f]{8}"));
  EXPECT_EQ(shadow.name, "shadow-host-1");
  EXPECT_EQ(shadow.zone, "az2");
  EXPECT_EQ(shadow.server_id, "host-1");
  EXPECT_EQ(shadow.disk_type, "ssd");
  EXPECT_EQ(shadow.status, "running");
  EXPECT_THAT(shadow.replication_address, MatchesRegex("127\\.0\\.0\\.1:[0-9]+"));
  EXPECT_TRUE(test_util::Connects(shadow.replication_address));
  EXPECT_EQ(fs::path(shadow.replica_dir), internal::ShadowReplicaDir(canonical_root_, "az2", shadow.id));
  EXPECT_TRUE(fs::is_directory(shadow.replica_dir));
  EXPECT_TRUE(internal::IsAlive(RecordedPid(shadow.id)));
  // TLS by default, with a key of its own that only the owner reads.
  const fs::path tls = internal::ShadowTlsDir(canonical_root_, "az2", shadow.id);
  std::ifstream cmdline("/proc/" + std::to_string(RecordedPid(shadow.id)) + "/cmdline");
  const std::string args((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
  EXPECT_THAT(args, HasSubstr("--tls-dir"));
  EXPECT_EQ(fs::status(tls / "server-key.pem").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_TRUE(fs::exists(tls / "server-cert.pem"));

  auto described = provider_->DescribeShadowHost(shadow.id);
  ASSERT_TRUE(described.ok()) << described.status().ToString();
  EXPECT_EQ(described->status, "running");
  EXPECT_EQ(described->replication_address, shadow.replication_address);
}

TEST_F(LocalShadowHostsTest, SameClientTokenReturnsTheSameShadowHost) {
  const ShadowHost first = Create("tok-1");
  const int pid = RecordedPid(first.id);
  const ShadowHost again = Create("tok-1");
  EXPECT_EQ(again.id, first.id);
  EXPECT_EQ(RecordedPid(first.id), pid) << "a retried create must not start a second process";
  const ShadowHost other = Create("tok-2");
  EXPECT_NE(other.id, first.id);
  auto all = provider_->ListShadowHosts();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 2u);
}

TEST_F(LocalShadowHostsTest, BadRequestNamesEveryProblem) {
  ShadowHostRequest request = Request("tok-1");
  request.zone = "az9";
  request.disk_type = "nvme";
  request.server_id = "../etc";
  auto shadow = provider_->CreateShadowHost(request);
  EXPECT_EQ(shadow.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(shadow.status().message(), HasSubstr("zone \"az9\""));
  EXPECT_THAT(shadow.status().message(), HasSubstr("disk_type \"nvme\""));
  EXPECT_THAT(shadow.status().message(), HasSubstr("server_id"));
  EXPECT_FALSE(fs::exists(internal::ShadowsDir(root_)) && !fs::is_empty(internal::ShadowsDir(root_)));
}

TEST_F(LocalShadowHostsTest, KilledShadowIsStoppedAndTheSameTokenRestartsItWithItsReplicas) {
  const ShadowHost first = Create("tok-1");
  const int first_pid = RecordedPid(first.id);
  std::ofstream(fs::path(first.replica_dir) / "marker.img") << "replica bytes";
  ASSERT_EQ(::kill(first_pid, SIGKILL), 0);
  ASSERT_TRUE(test_util::PollUntil([&] {
    auto shadow = provider_->DescribeShadowHost(first.id);
    return shadow.ok() && shadow->status == "stopped";
  }));
  EXPECT_EQ(provider_->DescribeShadowHost(first.id)->replication_address, "");

  const ShadowHost restarted = Create("tok-1");
  EXPECT_EQ(restarted.id, first.id);
  EXPECT_EQ(restarted.status, "running");
  EXPECT_NE(RecordedPid(first.id), first_pid);
  EXPECT_TRUE(test_util::Connects(restarted.replication_address));
  EXPECT_TRUE(fs::exists(fs::path(first.replica_dir) / "marker.img")) << "replicas survive a restart";
}

TEST_F(LocalShadowHostsTest, DeleteStopsTheProcessAndFreesTheReplicas) {
  const ShadowHost shadow = Create("tok-1");
  const int pid = RecordedPid(shadow.id);
  std::ofstream(fs::path(shadow.replica_dir) / "vda.img") << "replica bytes";
  ASSERT_TRUE(provider_->DeleteShadowHost(shadow.id).ok());
  EXPECT_FALSE(internal::IsAlive(pid));
  EXPECT_FALSE(fs::exists(internal::ShadowHostDir(root_, "az2", shadow.id)));
  EXPECT_FALSE(fs::exists(internal::ShadowFile(root_, shadow.id)));
  EXPECT_EQ(provider_->DescribeShadowHost(shadow.id).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(provider_->DeleteShadowHost(shadow.id).ok()) << "deleting a missing shadow host is Ok";
  EXPECT_EQ(provider_->DeleteShadowHost("../x").code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace cdr::providers::local
