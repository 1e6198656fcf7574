#include "common/display_width.h"

#include <gtest/gtest.h>

namespace cdr {
namespace {

TEST(DisplayWidthTest, ChineseTakesTwoColumnsAsciiOne) {
  EXPECT_EQ(DisplayWidth(""), 0u);
  EXPECT_EQ(DisplayWidth("realtime"), 8u);
  EXPECT_EQ(DisplayWidth("实时保护"), 8u);
  EXPECT_EQ(DisplayWidth("agent_install_failed 客户端安装失败"), 21u + 14u);
  EXPECT_EQ(DisplayWidth("e\xcc\x81"), 1u);  // e + combining acute accent
  EXPECT_EQ(DisplayWidth("→"), 1u);
}

TEST(DisplayWidthTest, PadsToColumnsNotBytes) {
  EXPECT_EQ(PadToWidth("实时", 6), "实时  ");
  EXPECT_EQ(PadToWidth("abc", 2), "abc");
  EXPECT_EQ(DisplayWidth(PadToWidth("复制中 x", 20)), 20u);
}

}  // namespace
}  // namespace cdr
