#include "specs/internal/ipv4_rules.h"

#include <array>
#include <cctype>

namespace cdr::specs::internal {
namespace {

constexpr char kShape[] = "is not an IPv4 address (four numbers 0–255 separated by dots, e.g. 10.0.1.5)";

// False with *problem when `text` is not four decimal octets.
bool SplitOctets(std::string_view text, std::array<int, 4>* octets, std::string* problem) {
  size_t start = 0;
  for (int i = 0; i < 4; ++i) {
    const size_t dot = i < 3 ? text.find('.', start) : text.size();
    if (dot == std::string_view::npos) {
      *problem = kShape;
      return false;
    }
    const std::string_view part = text.substr(start, dot - start);
    if (part.empty() || part.size() > 3) {
      *problem = kShape;
      return false;
    }
    int value = 0;
    for (char c : part) {
      if (!std::isdigit(static_cast<unsigned char>(c))) {
        *problem = kShape;
        return false;
      }
      value = value * 10 + (c - '0');
    }
    if (part.size() > 1 && part.front() == '0') {
      *problem = "has a leading zero in `" + std::string(part) + "` (ambiguous: some tools read it as octal)";
      return false;
    }
    if (value > 255) {
      *problem = "has `" + std::string(part) + "`, more than 255";
      return false;
    }
    (*octets)[i] = value;
    start = dot + 1;
  }
  return true;
}

}  // namespace

std::string Ipv4AddressProblems(std::string_view text) {
  std::array<int, 4> o{};
  std::string problem;
  if (!SplitOctets(text, &o, &problem)) return problem;
  if (o[0] == 0) return "is in 0.0.0.0/8 (\"this network\"), not a host address";
  if (o[0] == 127) return "is a loopback address (127.0.0.0/8)";
  if (o == std::array<int, 4>{255, 255, 255, 255}) return "is the broadcast address";
  if (o[0] >= 224 && o[0] <= 239) return "is a multicast address (224.0.0.0/4)";
  if (o[0] >= 240) return "is a reserved address (240.0.0.0/4)";
  return "";
}

}  // namespace cdr::specs::internal
