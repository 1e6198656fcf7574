#include "providers/http/internal/provider_url.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cdr::providers::http::internal {
namespace {

using ::testing::HasSubstr;

TEST(ProviderUrlTest, SchemeHostPortAndPrefix) {
  auto plain = ParseProviderUrl("http://127.0.0.1:7070");
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_FALSE(plain->https);
  EXPECT_EQ(plain->where.host, "127.0.0.1");
  EXPECT_EQ(plain->where.port, 7070);
  EXPECT_EQ(plain->authority, "127.0.0.1:7070");
  EXPECT_EQ(plain->prefix, "");

  auto named = ParseProviderUrl("https://cloud.example/cdr/");
  ASSERT_TRUE(named.ok()) << named.status().ToString();
  EXPECT_TRUE(named->https);
  EXPECT_EQ(named->where.port, 443);
  EXPECT_EQ(named->authority, "cloud.example");
  EXPECT_EQ(named->prefix, "/cdr");

  auto v6 = ParseProviderUrl("http://[::1]");
  ASSERT_TRUE(v6.ok()) << v6.status().ToString();
  EXPECT_EQ(v6->where.host, "::1");
  EXPECT_EQ(v6->where.port, 80);
}

TEST(ProviderUrlTest, RefusalsSayWhatIsWrong) {
  EXPECT_THAT(ParseProviderUrl("ftp://h:1").status().message(), HasSubstr("must start with http://"));
  EXPECT_THAT(ParseProviderUrl("http://").status().message(), HasSubstr("no host"));
  EXPECT_THAT(ParseProviderUrl("http://h:99999").status().message(), HasSubstr("port must be 1..65535"));
  EXPECT_THAT(ParseProviderUrl("http://u@h:1").status().message(), HasSubstr("no user, query or fragment"));
}

TEST(ProviderUrlTest, SegmentsArePercentEncoded) {
  EXPECT_EQ(EncodeSegment("host-1"), "host-1");
  EXPECT_EQ(EncodeSegment("a/b c?%"), "a%2Fb%20c%3F%25");
}

}  // namespace
}  // namespace cdr::providers::http::internal
