#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "state/state_store.h"
#include "tests/support/test_state.h"

namespace cdr::state {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

ResourceRecord Record(const std::string& address, ResourceKind kind, const std::string& status) {
  ResourceRecord r;
  r.address = address;
  r.kind = kind;
  r.status = status;
  return r;
}

class ResourcesTest : public testing::OpenedStoreTest {
 protected:
  void PutOrDie(const std::string& address, ResourceKind kind) {
    ASSERT_TRUE(store_->Put(Record(address, kind, "created")).ok()) << address;
  }

  std::vector<std::string> Addresses() {
    std::vector<std::string> out;
    for (const ResourceRecord& r : store_->Resources()) out.push_back(r.address);
    return out;
  }
};

TEST_P(ResourcesTest, PutGetRoundTripsAllFields) {
  ResourceRecord record = Record("group.web.peering", ResourceKind::kPeering, "creating");
  record.provider_id = "pcx-123";
  record.attributes = {{"vpc", "vpc-1"}, {"ports", {22, 443}}, {"nested", {{"ok", true}}}};
  ASSERT_TRUE(store_->Put(record).ok());
  auto got = store_->Get("group.web.peering");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->kind, ResourceKind::kPeering);
  EXPECT_EQ(got->provider_id, "pcx-123");
  EXPECT_EQ(got->status, "creating");
  EXPECT_EQ(got->attributes, record.attributes);
  EXPECT_GT(got->created_at, 0);
  EXPECT_EQ(got->created_at, got->updated_at);
}

TEST_P(ResourcesTest, PutAllWritesEveryRecordOrNone) {
  PutOrDie("group.web", ResourceKind::kGroup);
  ASSERT_TRUE(store_
                  ->PutAll({Record("group.web", ResourceKind::kGroup, "updating"),
                            Record("group.web.server.a", ResourceKind::kServer, "x"),
                            Record("group.web.server.b", ResourceKind::kServer, "y")})
                  .ok());
  EXPECT_THAT(Addresses(), ElementsAre("group.web", "group.web.server.a", "group.web.server.b"));
  EXPECT_EQ(store_->Get("group.web")->status, "updating");
  Status refused = store_->PutAll(
      {Record("group.web.server.c", ResourceKind::kServer, "z"), Record("", ResourceKind::kServer, "z")});
  EXPECT_EQ(refused.code(), StatusCode::kInvalidArgument) << refused.ToString();
  EXPECT_FALSE(store_->Get("group.web.server.c").has_value()) << "nothing of a refused batch is written";
}

TEST_P(ResourcesTest, GetOfMissingIsEmpty) { EXPECT_FALSE(store_->Get("group.none").has_value()); }

TEST_P(ResourcesTest, UpdateKeepsCreatedAt) {
  PutOrDie("group.web", ResourceKind::kGroup);
  int64_t created = store_->Get("group.web")->created_at;
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_TRUE(store_->Put(Record("group.web", ResourceKind::kGroup, "updating")).ok());
  auto got = store_->Get("group.web");
  EXPECT_EQ(got->status, "updating");
  EXPECT_EQ(got->created_at, created);
  EXPECT_GT(got->updated_at, created);
}

TEST_P(ResourcesTest, ResourcesAreSortedByAddress) {
  PutOrDie("group.web.server.b", ResourceKind::kServer);
  PutOrDie("group.db", ResourceKind::kGroup);
  PutOrDie("group.web", ResourceKind::kGroup);
  PutOrDie("group.web.server.a", ResourceKind::kServer);
  EXPECT_THAT(Addresses(), ElementsAre("group.db", "group.web", "group.web.server.a", "group.web.server.b"));
}

TEST_P(ResourcesTest, DeleteRemovesOnlyThatResourceAndIsIdempotent) {
  PutOrDie("group.web", ResourceKind::kGroup);
  PutOrDie("group.web.server.a", ResourceKind::kServer);
  ASSERT_TRUE(store_->Delete("group.web.server.a").ok());
  EXPECT_TRUE(store_->Delete("group.web.server.a").ok());
  EXPECT_THAT(Addresses(), ElementsAre("group.web"));
}

TEST_P(ResourcesTest, EmptyAddressIsRefused) {
  EXPECT_EQ(store_->Put(Record("", ResourceKind::kGroup, "created")).code(), StatusCode::kInvalidArgument);
}

TEST_P(ResourcesTest, MoveRenamesResourceAndChildrenOnly) {
  PutOrDie("group.a", ResourceKind::kGroup);
  PutOrDie("group.a.server.x", ResourceKind::kServer);
  PutOrDie("group.a.peering", ResourceKind::kPeering);
  PutOrDie("group.ab", ResourceKind::kGroup);  // shares the prefix but is not a child
  ASSERT_TRUE(store_->Move("group.a", "group.b").ok());
  EXPECT_THAT(Addresses(), ElementsAre("group.ab", "group.b", "group.b.peering", "group.b.server.x"));
  EXPECT_EQ(store_->Get("group.b.server.x")->kind, ResourceKind::kServer);
}

TEST_P(ResourcesTest, MoveTreatsUnderscoreLiterally) {
  PutOrDie("group.a_1", ResourceKind::kGroup);
  PutOrDie("group.a_1.server.x", ResourceKind::kServer);
  PutOrDie("group.aX1.server.y", ResourceKind::kServer);  // would match a LIKE pattern 'group.a_1.%'
  ASSERT_TRUE(store_->Move("group.a_1", "group.c").ok());
  EXPECT_THAT(Addresses(), ElementsAre("group.aX1.server.y", "group.c", "group.c.server.x"));
}

TEST_P(ResourcesTest, MoveOfMissingIsNotFound) {
  EXPECT_EQ(store_->Move("group.none", "group.b").code(), StatusCode::kNotFound);
}

TEST_P(ResourcesTest, MoveOntoExistingIsRefusedAndChangesNothing) {
  PutOrDie("group.a", ResourceKind::kGroup);
  PutOrDie("group.a.server.x", ResourceKind::kServer);
  PutOrDie("group.b", ResourceKind::kGroup);
  Status s = store_->Move("group.a", "group.b");
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists);
  EXPECT_THAT(s.message(), HasSubstr("group.b"));
  EXPECT_THAT(Addresses(), ElementsAre("group.a", "group.a.server.x", "group.b"));
}

TEST_P(ResourcesTest, MoveOntoExistingChildIsRefused) {
  PutOrDie("group.a", ResourceKind::kGroup);
  PutOrDie("group.a.server.x", ResourceKind::kServer);
  PutOrDie("group.b.server.x", ResourceKind::kServer);  // orphan left under the target
  EXPECT_EQ(store_->Move("group.a", "group.b").code(), StatusCode::kAlreadyExists);
  EXPECT_THAT(Addresses(), ElementsAre("group.a", "group.a.server.x", "group.b.server.x"));
}

TEST_P(ResourcesTest, MoveUnderItselfIsRefused) {
  PutOrDie("group.a", ResourceKind::kGroup);
  EXPECT_EQ(store_->Move("group.a", "group.a.b").code(), StatusCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Backends, ResourcesTest, CDR_STATE_BACKENDS);

}  // namespace
}  // namespace cdr::state
