#include "shadow/recovery_point_kind.h"

#include <gtest/gtest.h>

namespace cdr::shadow {
namespace {

TEST(RecoveryPointKindTest, NamesAsStoredInRecoveryPointsJson) {
  EXPECT_STREQ(RecoveryPointKindName(RecoveryPointKind::kScheduled), "scheduled");
  EXPECT_STREQ(RecoveryPointKindName(RecoveryPointKind::kManual), "manual");
  EXPECT_EQ(ParseRecoveryPointKind("manual"), RecoveryPointKind::kManual);
  EXPECT_EQ(ParseRecoveryPointKind("hourly"), std::nullopt);
}

}  // namespace
}  // namespace cdr::shadow
