// Resource addresses: "group.NAME", "group.NAME.peering", "group.NAME.endpoint", "group.NAME.server.SERVER".
#pragma once

#include <string>

namespace cdr::reconcile {

std::string GroupAddress(const std::string& group);
std::string PeeringAddress(const std::string& group);
std::string EndpointAddress(const std::string& group);
std::string ServerAddress(const std::string& group, const std::string& server);

// The group name of any address ("group.web.server.a" → "web"); empty if the address is not a group's.
std::string GroupOf(const std::string& address);
// The last name of an address ("group.web.server.a" → "a", "group.web" → "web", "group.web.peering" → "peering").
std::string LeafName(const std::string& address);

}  // namespace cdr::reconcile
