// The logging wrapper forwards every generic call and its result, whatever it is, unchanged.
#include "providers/logging_provider.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cdr::providers {
namespace {

using ::testing::Return;

class MockResourceProvider : public ResourceProvider {
 public:
  MOCK_METHOD(std::string, Name, (), (const, override));
  MOCK_METHOD(Result<ProviderSchema>, Schema, (), (override));
  MOCK_METHOD(Status, Validate, (const std::string&, const Json&), (override));
  MOCK_METHOD(Result<Json>, Create, (const std::string&, const std::string&, const Json&), (override));
  MOCK_METHOD(Result<Json>, Read, (const std::string&, const std::string&), (override));
  MOCK_METHOD(Result<Json>, List, (const std::string&, const Json&), (override));
  MOCK_METHOD(Status, Delete, (const std::string&, const std::string&), (override));
  MOCK_METHOD(Result<Json>, Invoke, (const std::string&, const std::string&, const std::string&, const Json&),
              (override));
};

class LoggingProviderTest : public ::testing::Test {
 protected:
  LoggingProviderTest() {
    auto mock = std::make_unique<::testing::NiceMock<MockResourceProvider>>();
    mock_ = mock.get();
    ON_CALL(*mock_, Name()).WillByDefault(Return("mock"));
    provider_ = std::make_unique<LoggingProvider>(std::move(mock));
  }
  MockResourceProvider* mock_;
  std::unique_ptr<LoggingProvider> provider_;
};

TEST_F(LoggingProviderTest, ForwardsName) { EXPECT_EQ(provider_->Name(), "mock"); }

TEST_F(LoggingProviderTest, ForwardsSuccessfulResults) {
  const Json config = {{"name", "cdr-web"}, {"vpc", "vpc-prod"}};
  EXPECT_CALL(*mock_, Create("peering", "tok", config)).WillOnce(Return(Json{{"id", "pcx-1"}}));
  auto created = provider_->Create("peering", "tok", config);
  ASSERT_TRUE(created.ok());
  EXPECT_EQ((*created)["id"], "pcx-1");

  const Json filter = {{"ids", {"host-1", "host-2"}}};
  EXPECT_CALL(*mock_, List("host", filter)).WillOnce(Return(Json::array({Json::object(), Json::object()})));
  auto hosts = provider_->List("host", filter);
  ASSERT_TRUE(hosts.ok());
  EXPECT_EQ(hosts->size(), 2u);

  EXPECT_CALL(*mock_, Delete("endpoint", "vpce-1")).WillOnce(Return(Status::Ok()));
  EXPECT_TRUE(provider_->Delete("endpoint", "vpce-1").ok());

  EXPECT_CALL(*mock_, Invoke("dr_host", "dr-1", "detach", Json::object()))
      .WillOnce(Return(Json{{"standalone", true}}));
  auto detached = provider_->Invoke("dr_host", "dr-1", "detach", Json::object());
  ASSERT_TRUE(detached.ok());
  EXPECT_EQ((*detached)["standalone"], true);
}

TEST_F(LoggingProviderTest, ForwardsFailures) {
  EXPECT_CALL(*mock_, Read("host", "gone")).WillOnce(Return(NotFound("host gone does not exist")));
  EXPECT_EQ(provider_->Read("host", "gone").status().code(), StatusCode::kNotFound);

  EXPECT_CALL(*mock_, Create("agent", "h1", ::testing::_))
      .WillOnce(Return(FailedPrecondition("host is stopped")));
  auto agent = provider_->Create("agent", "h1", {{"host_id", "h1"}});
  EXPECT_EQ(agent.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(agent.status().message(), "host is stopped");

  EXPECT_CALL(*mock_, Delete("agent", "h1")).WillOnce(Return(Unavailable("try later")));
  EXPECT_EQ(provider_->Delete("agent", "h1").code(), StatusCode::kUnavailable);

  EXPECT_CALL(*mock_, Validate("peering", ::testing::_)).WillOnce(Return(InvalidArgument("vpc is required")));
  EXPECT_EQ(provider_->Validate("peering", Json::object()).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace cdr::providers
