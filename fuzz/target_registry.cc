#include "fuzz/fuzz_target.h"

namespace cdr::fuzz {

std::map<std::string, Target>& Targets() {
  static std::map<std::string, Target> targets;
  return targets;
}

}  // namespace cdr::fuzz
