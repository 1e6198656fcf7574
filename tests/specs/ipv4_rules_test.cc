#include "specs/internal/ipv4_rules.h"

#include <gtest/gtest.h>

namespace cdr::specs::internal {
namespace {

constexpr char kShape[] = "is not an IPv4 address (four numbers 0–255 separated by dots, e.g. 10.0.1.5)";

TEST(Ipv4RulesTest, AcceptsUnicastHostAddresses) {
  for (const char* ip : {"10.0.1.5", "192.168.0.1", "1.0.0.0", "223.255.255.254", "8.8.8.8", "100.64.0.1"}) {
    EXPECT_EQ(Ipv4AddressProblems(ip), "") << ip;
  }
}

TEST(Ipv4RulesTest, RefusesWhatIsNotADottedQuad) {
  for (const char* ip : {"", "10.0.1", "10.0.1.5.6", "10..1.5", "10.0.1.", "a.b.c.d", "10.0.1.5/24",
                         "1234.0.0.1", " 10.0.1.5", "dhcp", "::1"}) {
    EXPECT_EQ(Ipv4AddressProblems(ip), kShape) << "`" << ip << "`";
  }
}

TEST(Ipv4RulesTest, OctetAbove255) {
  EXPECT_EQ(Ipv4AddressProblems("10.0.1.256"), "has `256`, more than 255");
}

TEST(Ipv4RulesTest, LeadingZeroIsAmbiguous) {
  EXPECT_EQ(Ipv4AddressProblems("10.0.01.5"),
            "has a leading zero in `01` (ambiguous: some tools read it as octal)");
}

TEST(Ipv4RulesTest, RefusesAddressesNoHostCanHave) {
  EXPECT_EQ(Ipv4AddressProblems("0.0.0.0"), "is in 0.0.0.0/8 (\"this network\"), not a host address");
  EXPECT_EQ(Ipv4AddressProblems("0.1.2.3"), "is in 0.0.0.0/8 (\"this network\"), not a host address");
  EXPECT_EQ(Ipv4AddressProblems("127.0.0.1"), "is a loopback address (127.0.0.0/8)");
  EXPECT_EQ(Ipv4AddressProblems("127.255.0.9"), "is a loopback address (127.0.0.0/8)");
  EXPECT_EQ(Ipv4AddressProblems("255.255.255.255"), "is the broadcast address");
  EXPECT_EQ(Ipv4AddressProblems("224.0.0.1"), "is a multicast address (224.0.0.0/4)");
  EXPECT_EQ(Ipv4AddressProblems("239.255.255.255"), "is a multicast address (224.0.0.0/4)");
  EXPECT_EQ(Ipv4AddressProblems("240.0.0.1"), "is a reserved address (240.0.0.0/4)");
}

}  // namespace
}  // namespace cdr::specs::internal
