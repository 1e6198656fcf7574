#include "common/nbd_uri.h"

namespace cdr {
namespace {

// RFC 3986 percent-encoding of a query value: a path may hold characters a URI cannot.
std::string EncodeQueryValue(const std::string& value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    const bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                       c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
    if (plain) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace

std::string NbdUri(const std::string& address, const std::string& export_name, const std::string& tls_certificates) {
  if (address.empty()) return "";
  if (tls_certificates.empty()) return "nbd://" + address + "/" + export_name;
  return "nbds://" + address + "/" + export_name + "?tls-certificates=" + EncodeQueryValue(tls_certificates);
}

}  // namespace cdr
