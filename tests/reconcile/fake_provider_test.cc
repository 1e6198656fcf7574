// The recording fake as a generic provider: a resource type it does not register works without a change to
// the fake (what lets a new resource kind reach the reconciler's tests), and the kinds it does register keep
// their behaviour behind the generic calls.
#include "tests/reconcile/fake_provider.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cdr::reconcile::test_util {
namespace {

using providers::Json;

TEST(FakeProviderTest, AnUnregisteredTypeIsAStoreWithClientTokensReadsListsAndDeletes) {
  RecordingFakeProvider fake;
  auto made = fake.Create("volume", "tok-1", {{"name", "data-1"}, {"size_gib", 8}});
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  const std::string id = (*made)["id"];
  auto again = fake.Create("volume", "tok-1", {{"name", "data-1"}, {"size_gib", 8}});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)["id"], id) << "the same client token returns the resource made the first time";
  EXPECT_EQ((*fake.Read("volume", id))["size_gib"], 8);
  EXPECT_EQ(fake.List("volume", {{"ids", {id, "volume-404"}}})->size(), 1u);
  EXPECT_TRUE(fake.Delete("volume", id).ok());
  EXPECT_EQ(fake.Read("volume", id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(fake.Delete("volume", id).code(), StatusCode::kNotFound);
  EXPECT_THAT(fake.MutatingCalls(), ::testing::ElementsAre("create volume data-1", "create volume data-1",
                                                           "delete volume " + id, "delete volume " + id));
}

TEST(FakeProviderTest, HooksFailARegisteredTypesCallBeforeItHasAnyEffect) {
  RecordingFakeProvider fake;
  fake.FailOn("create peering", Unavailable("quota"), "cdr-web");
  const providers::PeeringRequest request{"tok", "cdr-web", "vpc-web", "az1", "az2"};
  EXPECT_EQ(providers::types::CreatePeering(fake, request).status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(fake.peerings().empty());
  fake.ClearHooks();
  auto peering = providers::types::CreatePeering(fake, request);
  ASSERT_TRUE(peering.ok()) << peering.status().ToString();
  EXPECT_EQ(providers::types::ReadPeering(fake, peering->id)->name, "cdr-web");
  EXPECT_TRUE(providers::types::DeletePeering(fake, peering->id).ok());
  EXPECT_TRUE(providers::types::DeletePeering(fake, peering->id).ok()) << "deleting a gone one is done";
}

}  // namespace
}  // namespace cdr::reconcile::test_util
