// The TOML spec loader, as `cdr validate` and `cdr plan` run it on a file of the GitOps repository: any bytes
// give a spec or diagnostics with positions, never a crash or an exception.
#include <string>

#include "fuzz/fuzz_target.h"
#include "specs/load_spec.h"

namespace {

int FuzzSpec(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  cdr::specs::LoadResult result = cdr::specs::LoadSpecDocuments({{"fuzz.toml", text}});
  for (const auto& d : result.diagnostics) (void)cdr::specs::FormatDiagnostic(d);
  return 0;
}

}  // namespace

CDR_FUZZ_TARGET("spec", FuzzSpec)
