// `cdr version` / `cdr --version`: the release and the format versions a script may check before it reads
// cdr's machine output (the saved plan's format_version).
#include <iostream>

#include <nlohmann/json.hpp>

#include "cmd/commands.h"
#include "reconcile/plan_json.h"

#ifndef CDR_VERSION
#error "CDR_VERSION is set by CMakeLists.txt from project(VERSION)"
#endif

namespace cdr::cmd {

const char* CdrVersion() { return CDR_VERSION; }

int RunVersion(bool json) {
  if (json) {
    nlohmann::json j = {{"cdr_version", CdrVersion()}, {"plan_format_version", reconcile::kPlanFormatVersion}};
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << "cdr v" << CdrVersion() << "\nplan format " << reconcile::kPlanFormatVersion << "\n";
  }
  return kExitOk;
}

}  // namespace cdr::cmd
