// The TOML spec loader, as `cdr validate` and `cdr plan` run it on a file of the GitOps repository: any bytes
// give a spec or diagnostics with positions, never a crash or an exception; and `cdr fmt` of them keeps their
// meaning and is idempotent.
#include <cstdlib>
#include <string>

#include "fuzz/fuzz_target.h"
#include "specs/load_spec.h"
#include "specs/spec_format.h"

namespace {

int FuzzSpec(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  cdr::specs::LoadResult result = cdr::specs::LoadSpecDocuments({{"fuzz.toml", text}});
  for (const auto& d : result.diagnostics) (void)cdr::specs::FormatDiagnostic(d);
  // cdr fmt: it must never change what a document means (it checks that itself and says kInternal), and
  // formatting twice gives what formatting once gave.
  auto formatted = cdr::specs::FormatSpecText(text, "fuzz.toml");
  if (!formatted.ok() && formatted.status().code() == cdr::StatusCode::kInternal) std::abort();
  if (formatted.ok()) {
    auto again = cdr::specs::FormatSpecText(*formatted, "fuzz.toml");
    if (!again.ok() || *again != *formatted) std::abort();
  }
  return 0;
}

}  // namespace

CDR_FUZZ_TARGET("spec", FuzzSpec)
