// The one HOST:PORT parser: what clients connect to and what daemons listen on.
#include "common/host_port.h"

#include <gtest/gtest.h>

namespace cdr {
namespace {

TEST(HostPortTest, SplitsNamesIpv4AndBracketedIpv6) {
  Result<HostPort> a = SplitHostPort("shadow.example:7000");
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->host, "shadow.example");
  EXPECT_EQ(a->port, 7000);
  Result<HostPort> b = SplitHostPort("[::1]:65535");
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ(b->host, "::1");
  EXPECT_EQ(b->port, 65535);
}

TEST(HostPortTest, RefusesWhatIsNotHostPortAndSaysWhy) {
  const std::pair<const char*, const char*> cases[] = {
      {"127.0.0.1", "no port"},           {":80", "empty host"},
      {"[::1:80", "unclosed IPv6 bracket"}, {"::1:80", "an IPv6 host needs brackets"},
      {"h:0", "port must be 1..65535"},   {"h:65536", "port must be 1..65535"},
      {"h:8x", "port must be 1..65535"},  {"h:", "port must be 1..65535"},
      {"h:-1", "port must be 1..65535"},
  };
  for (const auto& [address, why] : cases) {
    Result<HostPort> r = SplitHostPort(address);
    ASSERT_FALSE(r.ok()) << address;
    EXPECT_EQ(r.status().message(), why) << address;
  }
}

TEST(HostPortTest, AListenAddressMayAskForAnyFreePort) {
  Result<HostPort> any = SplitListenAddress("127.0.0.1:0");
  ASSERT_TRUE(any.ok()) << any.status().message();
  EXPECT_EQ(any->host, "127.0.0.1");
  EXPECT_EQ(any->port, 0);
  EXPECT_FALSE(SplitHostPort("127.0.0.1:0").ok());
  Result<HostPort> bad = SplitListenAddress("127.0.0.1:99999");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "port must be 0..65535");
}

}  // namespace
}  // namespace cdr
