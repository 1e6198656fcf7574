#include "providers/logging_provider.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cdr::providers {
namespace {

using ::testing::Return;

class MockProvider : public Provider {
 public:
  MOCK_METHOD(std::string, Name, (), (const, override));
  MOCK_METHOD(Result<HostFacts>, DescribeHost, (const std::string&), (override));
  MOCK_METHOD(Result<std::vector<HostFacts>>, ListHosts, (const ListHostsRequest&), (override));
  MOCK_METHOD(Result<Peering>, CreatePeering, (const PeeringRequest&), (override));
  MOCK_METHOD(Result<Peering>, DescribePeering, (const std::string&), (override));
  MOCK_METHOD(Status, DeletePeering, (const std::string&), (override));
  MOCK_METHOD(Result<Endpoint>, CreateEndpoint, (const EndpointRequest&), (override));
  MOCK_METHOD(Result<Endpoint>, DescribeEndpoint, (const std::string&), (override));
  MOCK_METHOD(Status, DeleteEndpoint, (const std::string&), (override));
  MOCK_METHOD(Result<Agent>, InstallAgent, (const AgentInstallRequest&), (override));
  MOCK_METHOD(Result<Agent>, DescribeAgent, (const std::string&), (override));
  MOCK_METHOD(Status, UninstallAgent, (const std::string&), (override));
  MOCK_METHOD(Result<Agent>, InstallReverseAgent, (const ReverseAgentRequest&), (override));
  MOCK_METHOD(Result<AgentVersions>, ListAgentVersions, (), (override));
  MOCK_METHOD(Result<Agent>, UpgradeAgent, (const AgentUpgradeRequest&), (override));
  MOCK_METHOD(Result<HostFacts>, CreateHost, (const HostRequest&), (override));
  MOCK_METHOD(Result<ShadowHost>, CreateShadowHost, (const ShadowHostRequest&), (override));
  MOCK_METHOD(Result<ShadowHost>, DescribeShadowHost, (const std::string&), (override));
  MOCK_METHOD(Status, DeleteShadowHost, (const std::string&), (override));
  MOCK_METHOD(Status, SetRecoveryPolicy, (const RecoveryPolicyRequest&), (override));
  MOCK_METHOD(Result<RecoveryPoints>, ListRecoveryPoints, (const std::string&, const std::string&), (override));
  MOCK_METHOD(Status, RequestRecoveryPoint, (const RecoveryPointRequest&), (override));
  MOCK_METHOD(Result<DrHost>, CreateDrHost, (const DrHostRequest&), (override));
  MOCK_METHOD(Result<DrHost>, DescribeDrHost, (const std::string&), (override));
  MOCK_METHOD(Status, DeleteDrHost, (const std::string&), (override));
  MOCK_METHOD(Result<DrHost>, DetachDrHost, (const std::string&), (override));
  MOCK_METHOD(Result<DrHostCheckResult>, CheckDrHost, (const std::string&, const DrHostCheck&), (override));
};

class LoggingProviderTest : public ::testing::Test {
 protected:
  LoggingProviderTest() {
    auto mock = std::make_unique<::testing::NiceMock<MockProvider>>();
    mock_ = mock.get();
    ON_CALL(*mock_, Name()).WillByDefault(Return("mock"));
    provider_ = std::make_unique<LoggingProvider>(std::move(mock));
  }
  MockProvider* mock_;
  std::unique_ptr<LoggingProvider> provider_;
};

TEST_F(LoggingProviderTest, ForwardsName) { EXPECT_EQ(provider_->Name(), "mock"); }

TEST_F(LoggingProviderTest, ForwardsSuccessfulResults) {
  Peering peering;
  peering.id = "pcx-1";
  EXPECT_CALL(*mock_, CreatePeering(::testing::Field(&PeeringRequest::client_token, "tok")))
      .WillOnce(Return(peering));
  PeeringRequest request;
  request.client_token = "tok";
  auto created = provider_->CreatePeering(request);
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created->id, "pcx-1");

  EXPECT_CALL(*mock_, ListHosts).WillOnce(Return(std::vector<HostFacts>(2)));
  auto hosts = provider_->ListHosts({});
  ASSERT_TRUE(hosts.ok());
  EXPECT_EQ(hosts->size(), 2u);

  EXPECT_CALL(*mock_, DeleteEndpoint("vpce-1")).WillOnce(Return(Status::Ok()));
  EXPECT_TRUE(provider_->DeleteEndpoint("vpce-1").ok());
}

TEST_F(LoggingProviderTest, ForwardsFailures) {
  EXPECT_CALL(*mock_, DescribeHost("gone")).WillOnce(Return(NotFound("host gone does not exist")));
  EXPECT_EQ(provider_->DescribeHost("gone").status().code(), StatusCode::kNotFound);

  EXPECT_CALL(*mock_, InstallAgent).WillOnce(Return(FailedPrecondition("host is stopped")));
  auto agent = provider_->InstallAgent({.host_id = "h1", .group = "web"});
  EXPECT_EQ(agent.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(agent.status().message(), "host is stopped");

  EXPECT_CALL(*mock_, UninstallAgent("h1")).WillOnce(Return(Unavailable("try later")));
  EXPECT_EQ(provider_->UninstallAgent("h1").code(), StatusCode::kUnavailable);
}

TEST_F(LoggingProviderTest, ForwardsShadowHostCalls) {
  ShadowHost shadow;
  shadow.id = "shadow-1";
  shadow.status = "running";
  EXPECT_CALL(*mock_, CreateShadowHost(::testing::Field(&ShadowHostRequest::client_token, "tok")))
      .WillOnce(Return(shadow));
  ShadowHostRequest request;
  request.client_token = "tok";
  auto created = provider_->CreateShadowHost(request);
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created->id, "shadow-1");

  EXPECT_CALL(*mock_, DescribeShadowHost("shadow-2"))
      .WillOnce(Return(NotFound("shadow host shadow-2 is gone")));
  EXPECT_EQ(provider_->DescribeShadowHost("shadow-2").status().code(), StatusCode::kNotFound);

  EXPECT_CALL(*mock_, DeleteShadowHost("shadow-1")).WillOnce(Return(Status::Ok()));
  EXPECT_TRUE(provider_->DeleteShadowHost("shadow-1").ok());
}

}  // namespace
}  // namespace cdr::providers
