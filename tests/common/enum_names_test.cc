#include "common/enum_names.h"

#include <gtest/gtest.h>

#include <array>

namespace cdr {
namespace {

enum class Color { kRed, kGreen, kBlue };

constexpr EnumName<Color> kColors[] = {{Color::kRed, "red"}, {Color::kGreen, "green"}};

struct ColorRow {
  Color value;
  const char* name;
  bool warm;
};

constexpr std::array<ColorRow, 2> kColorRows = {
    {{Color::kRed, "red", true}, {Color::kGreen, "green", false}}};

TEST(EnumNames, NameOfAValueInTheTable) {
  EXPECT_STREQ(NameOf(kColors, Color::kRed), "red");
  EXPECT_STREQ(NameOf(kColors, Color::kGreen), "green");
}

TEST(EnumNames, AValueMissingFromTheTableGetsTheFallback) {
  EXPECT_STREQ(NameOf(kColors, Color::kBlue), "unknown");
  EXPECT_STREQ(NameOf(kColors, Color::kBlue, "?"), "?");
}

TEST(EnumNames, ParseFindsEachNameAndOnlyWholeNames) {
  EXPECT_EQ(ParseName(kColors, "red"), Color::kRed);
  EXPECT_EQ(ParseName(kColors, "green"), Color::kGreen);
  EXPECT_EQ(ParseName(kColors, "blue"), std::nullopt);
  EXPECT_EQ(ParseName(kColors, "re"), std::nullopt);
  EXPECT_EQ(ParseName(kColors, "Red"), std::nullopt);
  EXPECT_EQ(ParseName(kColors, ""), std::nullopt);
}

TEST(EnumNames, WiderRowsAreFoundByValueAndByName) {
  ASSERT_NE(RowOf(kColorRows, Color::kRed), nullptr);
  EXPECT_TRUE(RowOf(kColorRows, Color::kRed)->warm);
  EXPECT_EQ(RowOf(kColorRows, Color::kBlue), nullptr);
  ASSERT_NE(RowNamed(kColorRows, "green"), nullptr);
  EXPECT_FALSE(RowNamed(kColorRows, "green")->warm);
  EXPECT_EQ(RowNamed(kColorRows, "blue"), nullptr);
  EXPECT_EQ(ParseName(kColorRows, "green"), Color::kGreen);
}

TEST(EnumNames, LookupsWorkAtCompileTime) {
  static_assert(ParseName(kColors, "green") == Color::kGreen);
  static_assert(std::string_view(NameOf(kColors, Color::kRed)) == "red");
}

}  // namespace
}  // namespace cdr
