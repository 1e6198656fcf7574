#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "providers/local/local_provider.h"
#include "tests/providers/temp_cloud.h"

namespace cdr::providers::local {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class LocalNetworkTest : public test_util::LocalCloudTest {
 protected:
  void SetUp() override {
    LocalCloudTest::SetUp();
    provider_ = InitAndOpen(/*hosts=*/0);
    ASSERT_NE(provider_, nullptr);
  }

  static PeeringRequest Peer(std::string token) {
    return {.client_token = std::move(token),
            .name = "cdr-web-prod",
            .vpc = "vpc-prod",
            .production_zone = "az1",
            .dr_zone = "az2"};
  }
  static EndpointRequest Endpt(std::string token) {
    return {.client_token = std::move(token), .name = "cdr-web-ep", .vpc = "vpc-prod", .zone = "az2"};
  }

  int FilesIn(const char* dir) const {
    int n = 0;
    for ([[maybe_unused]] const auto& entry : fs::directory_iterator(root_ / dir)) ++n;
    return n;
  }

  std::unique_ptr<LocalProvider> provider_;
};

TEST_F(LocalNetworkTest, CreatePeeringRecordsIt) {
  auto peering = provider_->CreatePeering(Peer("tok-1"));
  ASSERT_TRUE(peering.ok()) << peering.status().ToString();
  EXPECT_THAT(peering->id, ::testing::MatchesRegex("pcx-[0-9a-f]{8}"));
  EXPECT_EQ(peering->status, "active");
  EXPECT_EQ(peering->name, "cdr-web-prod");

  auto described = provider_->DescribePeering(peering->id);
  ASSERT_TRUE(described.ok());
  EXPECT_EQ(described->id, peering->id);
  EXPECT_EQ(described->dr_zone, "az2");
}

TEST_F(LocalNetworkTest, SameTokenReturnsSamePeering) {
  auto first = provider_->CreatePeering(Peer("tok-1"));
  auto second = provider_->CreatePeering(Peer("tok-1"));
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(first->id, second->id);
  EXPECT_EQ(FilesIn("peerings"), 1);
}

TEST_F(LocalNetworkTest, DifferentTokensMakeTwoPeerings) {
  auto first = provider_->CreatePeering(Peer("tok-1"));
  auto second = provider_->CreatePeering(Peer("tok-2"));
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  EXPECT_NE(first->id, second->id);
  EXPECT_EQ(FilesIn("peerings"), 2);
}

TEST_F(LocalNetworkTest, DeletedPeeringIsNotFound) {
  auto peering = provider_->CreatePeering(Peer("tok-1"));
  ASSERT_TRUE(peering.ok());
  ASSERT_TRUE(provider_->DeletePeering(peering->id).ok());
  auto described = provider_->DescribePeering(peering->id);
  EXPECT_EQ(described.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(described.status().message(), HasSubstr(peering->id));
  EXPECT_TRUE(provider_->DeletePeering(peering->id).ok()) << "deleting a missing peering is Ok";
}

TEST_F(LocalNetworkTest, PeeringFileRemovedOutOfBandIsNotFound) {
  auto peering = provider_->CreatePeering(Peer("tok-1"));
  ASSERT_TRUE(peering.ok());
  fs::remove(root_ / "peerings" / (peering->id + ".json"));
  EXPECT_EQ(provider_->DescribePeering(peering->id).status().code(), StatusCode::kNotFound);
}

TEST_F(LocalNetworkTest, InvalidPeeringRequestsRefused) {
  PeeringRequest no_vpc = Peer("t");
  no_vpc.vpc = "";
  EXPECT_EQ(provider_->CreatePeering(no_vpc).status().code(), StatusCode::kInvalidArgument);

  PeeringRequest no_zone = Peer("t");
  no_zone.dr_zone = "";
  EXPECT_EQ(provider_->CreatePeering(no_zone).status().code(), StatusCode::kInvalidArgument);

  PeeringRequest unknown_zone = Peer("t");
  unknown_zone.production_zone = "az9";
  auto unknown = provider_->CreatePeering(unknown_zone);
  EXPECT_EQ(unknown.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(unknown.status().message(), HasSubstr("az9"));

  PeeringRequest same_zone = Peer("t");
  same_zone.dr_zone = "az1";
  EXPECT_EQ(provider_->CreatePeering(same_zone).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(FilesIn("peerings"), 0);
}

TEST_F(LocalNetworkTest, EndpointLifecycle) {
  auto endpoint = provider_->CreateEndpoint(Endpt("tok-1"));
  ASSERT_TRUE(endpoint.ok()) << endpoint.status().ToString();
  EXPECT_THAT(endpoint->id, ::testing::MatchesRegex("vpce-[0-9a-f]{8}"));
  EXPECT_EQ(endpoint->status, "available");
  EXPECT_EQ(endpoint->address, "127.0.0.1");

  auto again = provider_->CreateEndpoint(Endpt("tok-1"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->id, endpoint->id);
  EXPECT_EQ(FilesIn("endpoints"), 1);

  auto other = provider_->CreateEndpoint(Endpt("tok-2"));
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->id, endpoint->id);
  EXPECT_EQ(FilesIn("endpoints"), 2);

  ASSERT_TRUE(provider_->DeleteEndpoint(endpoint->id).ok());
  EXPECT_EQ(provider_->DescribeEndpoint(endpoint->id).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(provider_->DeleteEndpoint(endpoint->id).ok());
}

TEST_F(LocalNetworkTest, InvalidEndpointRequestsRefused) {
  EndpointRequest no_vpc = Endpt("t");
  no_vpc.vpc = "";
  EXPECT_EQ(provider_->CreateEndpoint(no_vpc).status().code(), StatusCode::kInvalidArgument);
  EndpointRequest bad_zone = Endpt("t");
  bad_zone.zone = "az9";
  EXPECT_EQ(provider_->CreateEndpoint(bad_zone).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(LocalNetworkTest, IdsThatWouldEscapeRootAreRefused) {
  EXPECT_EQ(provider_->DescribePeering("../cloud").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(provider_->DeleteEndpoint("../../x").code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(fs::exists(root_ / "cloud.json"));
}

}  // namespace
}  // namespace cdr::providers::local
