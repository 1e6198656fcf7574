#include "providers/local/internal/flavors.h"

#include <array>

namespace cdr::providers::local::internal {
namespace {

constexpr std::array<Flavor, 4> kFlavors = {{
    {"c1m2", 1, 2048},
    {"c2m4", 2, 4096},
    {"c4m8", 4, 8192},
    {"c8m16", 8, 16384},
}};

}  // namespace

Result<Flavor> LookupFlavor(const std::string& name) {
  std::string known;
  for (const Flavor& flavor : kFlavors) {
    if (name == flavor.name) return flavor;
    known += (known.empty() ? "" : ", ") + std::string(flavor.name);
  }
  return InvalidArgument("unknown flavor \"" + name + "\"; known flavors: " + known);
}

}  // namespace cdr::providers::local::internal
