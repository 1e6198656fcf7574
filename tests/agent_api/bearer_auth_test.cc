#include "agent/api/bearer_auth.h"

#include <gtest/gtest.h>

#include <fstream>

#include "agent/api/control_api.h"
#include "tests/support/process_test_util.h"

namespace cdr::agent::api {
namespace {

TEST(BearerAuthTest, AcceptsOnlyTheExactTokenWithTheBearerScheme) {
  EXPECT_TRUE(BearerTokenMatches("Bearer abc123", "abc123"));
  EXPECT_TRUE(BearerTokenMatches("BEARER abc123 ", "abc123"));
  EXPECT_FALSE(BearerTokenMatches("Bearer abc124", "abc123"));
  EXPECT_FALSE(BearerTokenMatches("Bearer abc1234", "abc123"));
  EXPECT_FALSE(BearerTokenMatches("Bearer abc12", "abc123"));
  EXPECT_FALSE(BearerTokenMatches("Basic abc123", "abc123"));
  EXPECT_FALSE(BearerTokenMatches("Bearerabc123", "abc123"));
  EXPECT_FALSE(BearerTokenMatches("", "abc123"));
  EXPECT_FALSE(BearerTokenMatches("Bearer ", ""));
}

TEST(BearerAuthTest, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals("same", "same"));
  EXPECT_FALSE(ConstantTimeEquals("same", "sane"));
  EXPECT_FALSE(ConstantTimeEquals("same", "same "));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
}

TEST(TokenFileTest, TrimsTrailingWhitespace) {
  cdr::testing::TempDir dir;
  std::ofstream(dir / "token") << "t0ken-value\n\n";
  Result<std::string> token = ReadTokenFile((dir / "token").string());
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  EXPECT_EQ(*token, "t0ken-value");
}

TEST(TokenFileTest, EmptyOrMissingFileIsAnErrorNamingIt) {
  cdr::testing::TempDir dir;
  std::ofstream(dir / "empty") << " \n";
  Result<std::string> empty = ReadTokenFile((dir / "empty").string());
  EXPECT_EQ(empty.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(empty.status().message().find((dir / "empty").string()), std::string::npos);
  Result<std::string> missing = ReadTokenFile((dir / "missing").string());
  EXPECT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find((dir / "missing").string()), std::string::npos);
}

}  // namespace
}  // namespace cdr::agent::api
