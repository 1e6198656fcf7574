#include "specs/internal/suggest.h"

#include <gtest/gtest.h>

#include <array>

namespace cdr::specs::internal {
namespace {

constexpr std::array<std::string_view, 4> kKeys = {"name", "production_zone", "dr_zone", "vpc"};

TEST(EditDistanceTest, CountsInsertDeleteSubstitute) {
  EXPECT_EQ(EditDistance("", ""), 0);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3);
  EXPECT_EQ(EditDistance("vpc", "vcp"), 2);
  EXPECT_EQ(EditDistance("name", ""), 4);
}

TEST(SuggestTest, ClosestKnownKeyWithinDistance) {
  EXPECT_EQ(Suggest("nmae", kKeys), "name");
  EXPECT_EQ(Suggest("dr-zone", kKeys), "dr_zone");
}

TEST(SuggestTest, LongKeysTolerateAThirdOfTheirLength) {
  // Four edits: more than 2, but within a third of the 15 characters of production_zone.
  EXPECT_EQ(EditDistance("prdction_zn", "production_zone"), 4);
  EXPECT_EQ(Suggest("prdction_zn", kKeys), "production_zone");
  // Short keys allow two edits and no more.
  EXPECT_EQ(Suggest("ip", kKeys), "vpc");
  EXPECT_EQ(Suggest("xyz", kKeys), std::nullopt);
}

TEST(SuggestTest, IgnoresCase) {
  EXPECT_EQ(Suggest("VPC", kKeys), "vpc");
  EXPECT_EQ(Suggest("Dr_Zone", kKeys), "dr_zone");
}

TEST(SuggestTest, NothingWhenFar) { EXPECT_EQ(Suggest("flavor", kKeys), std::nullopt); }

}  // namespace
}  // namespace cdr::specs::internal
