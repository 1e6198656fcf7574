#include "common/duration_text.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cdr {
namespace {

using std::chrono::milliseconds;

TEST(DurationTextTest, ReadsTheFormsOperatorsType) {
  EXPECT_EQ(*ParseDuration("0"), milliseconds(0));
  EXPECT_EQ(*ParseDuration("500ms"), milliseconds(500));
  EXPECT_EQ(*ParseDuration("30s"), milliseconds(30000));
  EXPECT_EQ(*ParseDuration("5m"), milliseconds(300000));
  EXPECT_EQ(*ParseDuration("1h30m"), milliseconds(5400000));
}

TEST(DurationTextTest, RefusesWhatIsNotADurationAndSaysWhatIs) {
  for (const char* bad : {"", "30", "s", "5x", "-5s", "1.5s", "5 s", "99999999999999999999s", "31d", "800h"}) {
    auto d = ParseDuration(bad);
    ASSERT_FALSE(d.ok()) << bad;
    EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_THAT(ParseDuration("5x").status().message(), ::testing::HasSubstr("e.g. 500ms, 30s, 5m"));
}

}  // namespace
}  // namespace cdr
