#include "reconcile/address.h"

namespace cdr::reconcile {
namespace {
constexpr char kGroupPrefix[] = "group.";
}

std::string GroupAddress(const std::string& group) { return kGroupPrefix + group; }
std::string PeeringAddress(const std::string& group) { return GroupAddress(group) + ".peering"; }
std::string EndpointAddress(const std::string& group) { return GroupAddress(group) + ".endpoint"; }
std::string ServerAddress(const std::string& group, const std::string& server) {
  return GroupAddress(group) + ".server." + server;
}

std::string ShadowHostAddress(const std::string& server_address) { return server_address + ".shadow_host"; }

std::string DrillAddress(const std::string& server_address) { return server_address + ".drill"; }
std::string FailoverAddress(const std::string& server_address) { return server_address + ".failover"; }

std::string ServerOf(const std::string& address) {
  const std::string marker = ".server.";
  auto at = address.find(marker);
  if (at == std::string::npos) return "";
  // Server names cannot contain '.', so the name ends at the next dot.
  auto end = address.find('.', at + marker.size());
  return address.substr(0, end);
}

std::string GroupOf(const std::string& address) {
  const std::string prefix = kGroupPrefix;
  if (address.rfind(prefix, 0) != 0) return "";
  // Group names cannot contain '.', so the name ends at the next dot.
  auto end = address.find('.', prefix.size());
  return address.substr(prefix.size(), end == std::string::npos ? std::string::npos : end - prefix.size());
}

bool AddressCovers(const std::string& target, const std::string& address) {
  return address == target || address.rfind(target + ".", 0) == 0;
}

std::string LeafName(const std::string& address) {
  auto dot = address.rfind('.');
  return dot == std::string::npos ? address : address.substr(dot + 1);
}

}  // namespace cdr::reconcile
