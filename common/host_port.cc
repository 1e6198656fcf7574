#include "common/host_port.h"

#include <charconv>

namespace cdr {
namespace {

Result<HostPort> Split(const std::string& address, unsigned lowest_port) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos) return InvalidArgument("no port");
  HostPort out;
  out.host = address.substr(0, colon);
  if (out.host.empty()) return InvalidArgument("empty host");
  if (out.host.front() == '[') {
    if (out.host.size() < 3 || out.host.back() != ']') return InvalidArgument("unclosed IPv6 bracket");
    out.host = out.host.substr(1, out.host.size() - 2);
  } else if (out.host.find(':') != std::string::npos) {
    return InvalidArgument("an IPv6 host needs brackets");
  }
  const char* first = address.data() + colon + 1;
  const char* last = address.data() + address.size();
  unsigned port = 0;
  auto [end, ec] = std::from_chars(first, last, port);
  if (first == last || ec != std::errc() || end != last || port < lowest_port || port > 65535) {
    return InvalidArgument("port must be " + std::to_string(lowest_port) + "..65535");
  }
  out.port = static_cast<uint16_t>(port);
  return out;
}

}  // namespace

Result<HostPort> SplitHostPort(const std::string& address) { return Split(address, 1); }

Result<HostPort> SplitListenAddress(const std::string& address) { return Split(address, 0); }

}  // namespace cdr
