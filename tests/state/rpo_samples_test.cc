#include <gtest/gtest.h>


#include "state/internal/migrations.h"
#include "state/state_store.h"
#include "tests/support/test_state.h"

namespace cdr::state {
namespace {

class RpoSamplesTest : public ::testing::TestWithParam<StateBackend> {};

TEST_P(RpoSamplesTest, RoundsAreReadBackPerServerOldestFirstAndPrunedByAge) {
  testing::TempDir dir(GetParam());
  auto store = StateStore::Open(dir.StatePath());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ASSERT_TRUE((*store)->AddRpoSamples({{"group.w.server.a", 1000, 0.5, true, "healthy"},
                                       {"group.w.server.b", 1000, -1, false, "unknown"}},
                                      0)
                  .ok());
  ASSERT_TRUE((*store)->AddRpoSamples({{"group.w.server.a", 2000, 1.5, true, "healthy"}}, 0).ok());

  auto a = (*store)->RpoSamples("group.w.server.a", 0);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].time, 1000);
  EXPECT_DOUBLE_EQ(a[1].rpo_seconds, 1.5);
  EXPECT_TRUE(a[1].live);
  auto b = (*store)->RpoSamples("group.w.server.b", 0);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_FALSE(b[0].live);
  EXPECT_EQ(b[0].health, "unknown");
  EXPECT_EQ((*store)->RpoSamples("group.w.server.a", 1500).size(), 1u);

  // The retention bound: a round drops whatever is older than it is told to keep, for every server.
  ASSERT_TRUE((*store)->AddRpoSamples({{"group.w.server.a", 3000, 2, true, "healthy"}}, 2500).ok());
  EXPECT_EQ((*store)->RpoSamples("group.w.server.a", 0).size(), 1u);
  EXPECT_TRUE((*store)->RpoSamples("group.w.server.b", 0).empty());
}

TEST_P(RpoSamplesTest, AVersionTwoStateGetsTheTable) {
  testing::TempDir dir(GetParam());
  {
    auto store = StateStore::Open(dir.StatePath());
    ASSERT_TRUE(store.ok());
  }
  {
    testing::ExecRaw(dir.StatePath(), "DROP TABLE rpo_samples");
    testing::SetRawSchemaVersion(dir.StatePath(), 2);
  }
  auto store = StateStore::Open(dir.StatePath());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->SchemaVersion(), internal::LatestSchemaVersion());
  EXPECT_TRUE((*store)->AddRpoSamples({{"group.w.server.a", 1, 0, true, "healthy"}}, 0).ok());
}

INSTANTIATE_TEST_SUITE_P(Backends, RpoSamplesTest, CDR_STATE_BACKENDS);

}  // namespace
}  // namespace cdr::state
