// Resource addresses: "group.NAME", "group.NAME.peering", "group.NAME.endpoint", "group.NAME.server.SERVER",
// "group.NAME.server.SERVER.shadow_host" (the server's shadow host in the DR zone), "….SERVER.drill" and
// "….SERVER.failover" (its DR hosts).
#pragma once

#include <string>

namespace cdr::reconcile {

std::string GroupAddress(const std::string& group);
std::string PeeringAddress(const std::string& group);
std::string EndpointAddress(const std::string& group);
std::string ServerAddress(const std::string& group, const std::string& server);
std::string ShadowHostAddress(const std::string& server_address);
// The server's drill DR host ("….server.S.drill") and failover DR host ("….server.S.failover").
std::string DrillAddress(const std::string& server_address);
std::string FailoverAddress(const std::string& server_address);

// The server an address belongs to ("group.w.server.a.shadow_host" → "group.w.server.a"); empty if none.
std::string ServerOf(const std::string& address);

// The group name of any address ("group.web.server.a" → "web"); empty if the address is not a group's.
std::string GroupOf(const std::string& address);
// Whether `target` is `address` or an address above it ("group.web" covers "group.web.server.a"; "group.we" covers
// nothing of "group.web"): how -target and `cdr state list | rm` select resources.
bool AddressCovers(const std::string& target, const std::string& address);
// The last name of an address ("group.web.server.a" → "a", "group.web" → "web", "group.web.peering" → "peering").
std::string LeafName(const std::string& address);

}  // namespace cdr::reconcile
