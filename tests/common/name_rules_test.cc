#include "common/name_rules.h"

#include <gtest/gtest.h>

#include <string>

namespace cdr {
namespace {

TEST(GroupNameTest, AcceptsLettersDigitsDashUnderscore) {
  EXPECT_EQ(GroupNameProblems("web-prod_2"), "");
  EXPECT_EQ(GroupNameProblems("ab"), "");
  EXPECT_EQ(GroupNameProblems(std::string(63, 'a')), "");
  EXPECT_EQ(GroupNameProblems("web-"), "");  // only server names must end with a letter or digit
}

TEST(GroupNameTest, SaysWhichRuleIsBroken) {
  EXPECT_EQ(GroupNameProblems("a"), "must be 2–63 characters long (it has 1)");
  EXPECT_EQ(GroupNameProblems(std::string(64, 'a')), "must be 2–63 characters long (it has 64)");
  EXPECT_EQ(GroupNameProblems("1web"), "must start with a letter");
  EXPECT_EQ(GroupNameProblems("web.prod"), "bad character '.' (allowed: letters, digits, '-' and '_')");
}

TEST(ServerNameTest, FollowsTheDrHostNameRule) {
  EXPECT_EQ(ServerNameProblems("web-1"), "");
  EXPECT_EQ(ServerNameProblems("a"), "must be 2–15 characters long (it has 1)");
  EXPECT_EQ(ServerNameProblems("web-server-number-1"), "must be 2–15 characters long (it has 19)");
  EXPECT_EQ(ServerNameProblems("-web"), "must start with a letter");
  EXPECT_EQ(ServerNameProblems("web-"), "must end with a letter or digit");
  EXPECT_EQ(ServerNameProblems("web_1"), "bad character '_' (allowed: letters, digits and '-')");
}

TEST(ServerNameTest, ListsEveryBrokenRule) {
  EXPECT_EQ(ServerNameProblems("1_"),
            "must start with a letter; bad character '_' (allowed: letters, digits and '-'); "
            "must end with a letter or digit");
}

TEST(DrHostNameTest, FollowsTheCloudHostNameRule) {
  EXPECT_EQ(DrHostNameProblems("web1-drill"), "");
  EXPECT_EQ(DrHostNameProblems("A1"), "");
  EXPECT_EQ(DrHostNameProblems(std::string(15, 'a')), "");
  EXPECT_EQ(DrHostNameProblems(std::string(16, 'a')), "must be 2–15 characters long (it has 16)");
  EXPECT_EQ(DrHostNameProblems("web1-"), "must end with a letter or digit");
  EXPECT_EQ(DrHostNameProblems("9web"), "must start with a letter");
  EXPECT_EQ(DrHostNameProblems("web.1"), "bad character '.' (allowed: letters, digits and '-')");
}

TEST(IdentifierTest, AcceptsZonesVpcsHostsAndDisks) {
  for (const char* name : {"a", "az1", "vpc-web", "host-1", "vda", "disk0", "db_2"}) {
    EXPECT_EQ(IdentifierProblems(name), "") << name;
  }
}

// Every one of these would be a path of its own, or collide with another disk's files, on the shadow.
TEST(IdentifierTest, RefusesWhatCouldBecomeAnotherPath) {
  for (const char* name : {"vda.base", "...", "..", ".", "vda.img", "../x", "/", "a/b", "-a", ""}) {
    EXPECT_NE(IdentifierProblems(name), "") << name;
  }
  EXPECT_EQ(IdentifierProblems(std::string(64, 'a')), "must be 1–63 characters long (it has 64)");
}

TEST(IdentifierTest, NamesControlCharactersByTheirCode) {
  EXPECT_EQ(IdentifierProblems("az\nError: x"),
            "bad character \\x0a (allowed: letters, digits, '-' and '_')");
  EXPECT_EQ(IdentifierProblems(std::string("a\0b", 3)),
            "bad character \\x00 (allowed: letters, digits, '-' and '_')");
}

}  // namespace
}  // namespace cdr
