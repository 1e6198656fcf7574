// The addresses a DR host may be given (`ip`, `eip`). Only unicast host addresses make sense there; catching
// a typo or a loopback address here beats a cloud error halfway through a failover.
#pragma once

#include <string>
#include <string_view>

namespace cdr::specs::internal {

// "" when `text` is a dotted-quad IPv4 unicast host address, otherwise why not, e.g. "is a loopback address
// (127.0.0.0/8)". Leading zeros are refused because tools disagree on whether they mean octal.
std::string Ipv4AddressProblems(std::string_view text);

}  // namespace cdr::specs::internal
