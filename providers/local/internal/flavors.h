// The local cloud's instance flavors, named like the public clouds' "cXmY" (X vCPUs, Y GiB of memory).
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"

namespace cdr::providers::local::internal {

struct Flavor {
  const char* name;
  int vcpus;
  int64_t memory_mib;
};

// kInvalidArgument naming the known flavors when `name` is not one of them.
Result<Flavor> LookupFlavor(const std::string& name);

}  // namespace cdr::providers::local::internal
