// Byte counts for people: "512 B", "4.0 KiB", "1.5 GiB" (binary units, one decimal).
#pragma once

#include <cstdint>
#include <string>

namespace cdr {

std::string HumanBytes(uint64_t bytes);

}  // namespace cdr
