#include <gtest/gtest.h>

#include <chrono>

#include "providers/local/local_provider.h"
#include "tests/providers/temp_cloud.h"

namespace cdr::providers::local {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr int kDelayMs = 150;

class LocalLatencyTest : public test_util::LocalCloudTest {
 protected:
  template <typename Call>
  static steady_clock::duration Time(Call&& call) {
    const auto start = steady_clock::now();
    call();
    return steady_clock::now() - start;
  }
};

TEST_F(LocalLatencyTest, MutatingCallsWaitOpDelay) {
  auto provider = InitAndOpen(/*hosts=*/1, kDelayMs);
  ASSERT_NE(provider, nullptr);
  PeeringRequest request{
      .client_token = "t", .name = "p", .vpc = "vpc-prod", .production_zone = "az1", .dr_zone = "az2"};
  EXPECT_GE(Time([&] { ASSERT_TRUE(provider->CreatePeering(request).ok()); }), milliseconds(kDelayMs));
  EXPECT_GE(Time([&] { ASSERT_TRUE(provider->InstallAgent({.host_id = "host-1", .group = "web"}).ok()); }),
            milliseconds(kDelayMs));
  EXPECT_GE(Time([&] { ASSERT_TRUE(provider->UninstallAgent("host-1").ok()); }), milliseconds(kDelayMs));
}

TEST_F(LocalLatencyTest, ReadsDoNotWait) {
  auto provider = InitAndOpen(/*hosts=*/1, kDelayMs);
  ASSERT_NE(provider, nullptr);
  EXPECT_LT(Time([&] { ASSERT_TRUE(provider->DescribeHost("host-1").ok()); }), milliseconds(kDelayMs));
  EXPECT_LT(Time([&] { ASSERT_TRUE(provider->ListHosts({}).ok()); }), milliseconds(kDelayMs));
}

}  // namespace
}  // namespace cdr::providers::local
