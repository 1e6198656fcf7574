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

// base64("cdr:abc123") = Y2RyOmFiYzEyMw==, base64(":abc123") = OmFiYzEyMw==, base64("cdr:abc1234") = Y2RyOmFiYzEyMzQ=
TEST(BearerAuthTest, BasicTakesTheTokenAsThePasswordOfAnyUser) {
  EXPECT_TRUE(BasicPasswordMatches("Basic Y2RyOmFiYzEyMw==", "abc123"));
  EXPECT_TRUE(BasicPasswordMatches("basic OmFiYzEyMw==", "abc123"));
  EXPECT_FALSE(BasicPasswordMatches("Basic Y2RyOmFiYzEyMzQ=", "abc123"));
  EXPECT_FALSE(BasicPasswordMatches("Basic Y2RyOmFiYzEyMw", "abc123")) << "not a multiple of 4";
  EXPECT_FALSE(BasicPasswordMatches("Basic YWJjMTIz", "abc123")) << "no colon";
  EXPECT_FALSE(BasicPasswordMatches("Bearer abc123", "abc123"));
  EXPECT_FALSE(BasicPasswordMatches("Basic OmFiYzEyMw==", ""));
  EXPECT_FALSE(BasicPasswordMatches("Basic " + std::string(8192, 'A'), "abc123"));
}

TEST(BearerAuthTest, QueryOrCookieToken) {
  EXPECT_TRUE(QueryOrCookieTokenMatches("server=x&token=abc123", "", "abc123"));
  EXPECT_TRUE(QueryOrCookieTokenMatches("", "a=b; cdr_token=abc123", "abc123"));
  EXPECT_FALSE(QueryOrCookieTokenMatches("xtoken=abc123", "cdr_tokens=abc123", "abc123"));
  EXPECT_FALSE(QueryOrCookieTokenMatches("token=abc12", "cdr_token=abc1234", "abc123"));
  EXPECT_FALSE(QueryOrCookieTokenMatches("token=", "cdr_token=", ""));
  EXPECT_TRUE(QueryHasToken("a=1&token=x"));
  EXPECT_FALSE(QueryHasToken("a=1&mytoken=x"));
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
