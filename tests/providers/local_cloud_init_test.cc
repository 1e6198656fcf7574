#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "common/json_file.h"
#include "providers/local/internal/run_tool.h"
#include "providers/local/local_provider.h"
#include "tests/providers/temp_cloud.h"

namespace cdr::providers::local {
namespace {

namespace fs = std::filesystem;
using test_util::kSmallDisk;
using ::testing::HasSubstr;

class LocalCloudInitTest : public test_util::LocalCloudTest {};

TEST_F(LocalCloudInitTest, InitCreatesLayoutAndHosts) {
  auto provider = InitAndOpen(/*hosts=*/2, /*op_delay_ms=*/7);
  ASSERT_NE(provider, nullptr);

  auto cloud = ReadJsonFile(root_ / "cloud.json");
  ASSERT_TRUE(cloud.ok());
  EXPECT_EQ((*cloud)["format_version"], 1);
  EXPECT_EQ((*cloud)["zones"], nlohmann::json({"az1", "az2"}));
  EXPECT_EQ((*cloud)["production_zone"], "az1");
  EXPECT_EQ((*cloud)["dr_zone"], "az2");
  EXPECT_EQ((*cloud)["op_delay_ms"], 7);
  for (const char* dir :
       {"zones/az1/hosts", "zones/az1/disks", "zones/az2/hosts", "peerings", "endpoints", "agents"}) {
    EXPECT_TRUE(fs::is_directory(root_ / dir)) << dir;
  }
  // The estate's CA: its key is the owner's alone.
  struct stat key {};
  ASSERT_EQ(::stat((root_ / "pki/ca-key.pem").c_str(), &key), 0);
  EXPECT_EQ(key.st_mode & 0777, 0600u);
  EXPECT_TRUE(fs::exists(root_ / "pki/ca-cert.pem"));
  EXPECT_TRUE(fs::exists(root_ / "zones/az1/hosts/host-1.json"));
  EXPECT_TRUE(fs::exists(root_ / "zones/az1/disks/host-2-vda.img"));

  auto hosts = provider->ListHosts({});
  ASSERT_TRUE(hosts.ok());
  ASSERT_EQ(hosts->size(), 2u);
  EXPECT_EQ((*hosts)[0].id, "host-1");
  EXPECT_EQ((*hosts)[1].id, "host-2");
  EXPECT_NE((*hosts)[0].ip, (*hosts)[1].ip);
}

TEST_F(LocalCloudInitTest, SecondInitRefuses) {
  InitAndOpen(/*hosts=*/0);
  Status again = LocalProvider::Init(root_, {});
  EXPECT_EQ(again.code(), StatusCode::kAlreadyExists);
}

TEST_F(LocalCloudInitTest, OpenWithoutCloudSaysToInit) {
  auto provider = LocalProvider::Open(root_);
  ASSERT_FALSE(provider.ok());
  EXPECT_EQ(provider.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(provider.status().message(), HasSubstr("cdr local init"));
}

TEST_F(LocalCloudInitTest, HostFactsMatchFlavor) {
  auto provider = InitAndOpen(/*hosts=*/0);
  HostTemplate tmpl;
  tmpl.id = "db-1";
  tmpl.flavor = "c4m8";
  tmpl.vpc = "vpc-data";
  tmpl.os = "rocky-9";
  tmpl.filesystem = "xfs";
  tmpl.disk_size_bytes = kSmallDisk;
  ASSERT_TRUE(LocalProvider::AddHost(root_, tmpl).ok());

  auto host = provider->DescribeHost("db-1");
  ASSERT_TRUE(host.ok()) << host.status().ToString();
  EXPECT_EQ(host->zone, "az1");
  EXPECT_EQ(host->vpc, "vpc-data");
  EXPECT_EQ(host->flavor, "c4m8");
  EXPECT_EQ(host->vcpus, 4);
  EXPECT_EQ(host->memory_mib, 8192);
  EXPECT_EQ(host->os, "rocky-9");
  EXPECT_EQ(host->filesystem, "xfs");
  EXPECT_EQ(host->power_state, "running");
  EXPECT_THAT(host->ip, ::testing::StartsWith("10.0."));
  ASSERT_EQ(host->disks.size(), 1u);
  EXPECT_EQ(host->disks[0].id, "vda");
  EXPECT_EQ(host->disks[0].size_bytes, kSmallDisk);
  EXPECT_TRUE(fs::path(host->disks[0].path).is_absolute());
}

TEST_F(LocalCloudInitTest, Ext4DiskIsSparseAndChecksClean) {
  auto provider = InitAndOpen(/*hosts=*/1);
  auto host = provider->DescribeHost("host-1");
  ASSERT_TRUE(host.ok());
  const std::string image = host->disks[0].path;

  struct stat st {};
  ASSERT_EQ(::stat(image.c_str(), &st), 0);
  EXPECT_EQ(st.st_size, kSmallDisk);
  EXPECT_LT(st.st_blocks * 512, kSmallDisk / 2) << "image is not sparse";

  auto e2fsck = internal::FindTool("e2fsck");
  ASSERT_TRUE(e2fsck.ok()) << e2fsck.status().ToString();
  auto check = internal::RunTool(*e2fsck, {"-fn", image});
  ASSERT_TRUE(check.ok());
  EXPECT_EQ(check->exit_code, 0) << check->stderr_text;
}

TEST_F(LocalCloudInitTest, NonExt4DiskIsLeftRaw) {
  auto provider = InitAndOpen(/*hosts=*/0);
  HostTemplate tmpl;
  tmpl.id = "win-1";
  tmpl.filesystem = "ntfs";
  tmpl.disk_size_bytes = kSmallDisk;
  ASSERT_TRUE(LocalProvider::AddHost(root_, tmpl).ok());
  auto host = provider->DescribeHost("win-1");
  ASSERT_TRUE(host.ok());
  EXPECT_EQ(host->filesystem, "ntfs");

  struct stat st {};
  ASSERT_EQ(::stat(host->disks[0].path.c_str(), &st), 0);
  EXPECT_EQ(st.st_size, kSmallDisk);
  EXPECT_EQ(st.st_blocks, 0) << "a raw disk should hold no data";
}

TEST_F(LocalCloudInitTest, MkfsFailureReportsItsStderrAndLeavesNothing) {
  auto provider = InitAndOpen(/*hosts=*/0);
  HostTemplate tmpl;
  tmpl.id = "tiny-1";
  tmpl.disk_size_bytes = 4096;  // too small for any ext4 filesystem
  Status s = LocalProvider::AddHost(root_, tmpl);
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_THAT(s.message(), HasSubstr("mkfs.ext4"));
  EXPECT_FALSE(fs::exists(root_ / "zones/az1/disks/tiny-1-vda.img"));
  EXPECT_EQ(provider->DescribeHost("tiny-1").status().code(), StatusCode::kNotFound);
}

TEST_F(LocalCloudInitTest, UnknownFlavorListsKnownOnes) {
  InitAndOpen(/*hosts=*/0);
  HostTemplate tmpl;
  tmpl.id = "big-1";
  tmpl.flavor = "c64m512";
  Status s = LocalProvider::AddHost(root_, tmpl);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("c1m2, c2m4, c4m8, c8m16"));
  EXPECT_FALSE(fs::exists(root_ / "zones/az1/disks/big-1-vda.img"));
}

TEST_F(LocalCloudInitTest, UnknownZoneRefused) {
  InitAndOpen(/*hosts=*/0);
  HostTemplate tmpl;
  tmpl.id = "web-1";
  tmpl.zone = "az9";
  Status s = LocalProvider::AddHost(root_, tmpl);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("az9"));
}

TEST_F(LocalCloudInitTest, AllTemplateProblemsReportedTogether) {
  InitAndOpen(/*hosts=*/0);
  HostTemplate tmpl;
  tmpl.id = "../escape";
  tmpl.zone = "az9";
  tmpl.flavor = "huge";
  Status s = LocalProvider::AddHost(root_, tmpl);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("host id"));
  EXPECT_THAT(s.message(), HasSubstr("huge"));
  EXPECT_THAT(s.message(), HasSubstr("az9"));
}

TEST_F(LocalCloudInitTest, DuplicateHostRefused) {
  InitAndOpen(/*hosts=*/0);
  HostTemplate tmpl;
  tmpl.id = "web-1";
  tmpl.filesystem = "raw";
  tmpl.disk_size_bytes = kSmallDisk;
  ASSERT_TRUE(LocalProvider::AddHost(root_, tmpl).ok());
  tmpl.zone = "az2";
  EXPECT_EQ(LocalProvider::AddHost(root_, tmpl).code(), StatusCode::kAlreadyExists);
}

TEST_F(LocalCloudInitTest, DeleteHostRemovesRecordAndDisk) {
  auto provider = InitAndOpen(/*hosts=*/1);
  auto host = provider->DescribeHost("host-1");
  ASSERT_TRUE(host.ok());
  ASSERT_TRUE(LocalProvider::DeleteHost(root_, "host-1").ok());

  EXPECT_EQ(provider->DescribeHost("host-1").status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(fs::exists(host->disks[0].path));
  EXPECT_EQ(LocalProvider::DeleteHost(root_, "host-1").code(), StatusCode::kNotFound);
}

TEST_F(LocalCloudInitTest, ListHostsFiltersByZone) {
  auto provider = InitAndOpen(/*hosts=*/2);
  HostTemplate dr;
  dr.id = "dr-1";
  dr.zone = "az2";
  dr.filesystem = "raw";
  dr.disk_size_bytes = kSmallDisk;
  ASSERT_TRUE(LocalProvider::AddHost(root_, dr).ok());

  auto az2 = provider->ListHosts({.zone = "az2"});
  ASSERT_TRUE(az2.ok());
  ASSERT_EQ(az2->size(), 1u);
  EXPECT_EQ((*az2)[0].id, "dr-1");
  auto all = provider->ListHosts({});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 3u);
  EXPECT_EQ(provider->ListHosts({.zone = "az7"}).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(LocalCloudInitTest, DescribingManyHostsIsFast) {
  auto provider = InitAndOpen(/*hosts=*/0);
  constexpr int kHosts = 220;
  for (int i = 0; i < kHosts; ++i) {
    HostTemplate tmpl;
    tmpl.id = "web-" + std::to_string(i);
    tmpl.filesystem = "raw";  // skips mkfs: this measures record reads, not formatting
    tmpl.disk_size_bytes = kSmallDisk;
    ASSERT_TRUE(LocalProvider::AddHost(root_, tmpl).ok());
  }
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kHosts; ++i) ASSERT_TRUE(provider->DescribeHost("web-" + std::to_string(i)).ok());
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::milliseconds(500));
}

}  // namespace
}  // namespace cdr::providers::local
