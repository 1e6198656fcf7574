#include "providers/http/internal/provider_url.h"

#include <cctype>

namespace cdr::providers::http::internal {

Result<ProviderUrl> ParseProviderUrl(const std::string& url) {
  auto refuse = [&](const std::string& why) {
    return InvalidArgument("provider url \"" + url + "\": " + why);
  };
  ProviderUrl parsed;
  std::string rest;
  if (url.rfind("https://", 0) == 0) {
    parsed.https = true;
    rest = url.substr(8);
  } else if (url.rfind("http://", 0) == 0) {
    rest = url.substr(7);
  } else {
    return refuse("must start with http:// or https://");
  }
  if (rest.find_first_of("?#@") != std::string::npos)
    return refuse("give only scheme, HOST[:PORT] and a path (no user, query or fragment)");
  const size_t slash = rest.find('/');
  parsed.authority = rest.substr(0, slash);
  if (slash != std::string::npos) parsed.prefix = rest.substr(slash);
  while (!parsed.prefix.empty() && parsed.prefix.back() == '/') parsed.prefix.pop_back();
  if (parsed.authority.empty()) return refuse("no host");
  // A port is present when the authority ends in ":DIGITS" outside an IPv6 literal's brackets.
  const size_t colon = parsed.authority.rfind(':');
  const size_t bracket = parsed.authority.rfind(']');
  const bool has_port = colon != std::string::npos && (bracket == std::string::npos || colon > bracket);
  std::string address = parsed.authority;
  if (!has_port) address += parsed.https ? ":443" : ":80";
  Result<HostPort> where = SplitHostPort(address);
  if (!where.ok()) return refuse(where.status().message());
  parsed.where = *where;
  return parsed;
}

std::string EncodeSegment(const std::string& segment) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : segment) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

}  // namespace cdr::providers::http::internal
