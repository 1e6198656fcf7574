// Per-file validation: TOML syntax, [provider], [quota] and each [[group]]. Checks that need every file at
// once (duplicates, quota) live in cross_checks.h.
#pragma once

#include <vector>

#include "specs/internal/parsed_document.h"
#include "specs/load_spec.h"

namespace cdr::specs::internal {

// Never throws; a syntax error yields an empty document plus its diagnostic.
ParsedDocument ParseDocument(const SpecDocument& document, std::vector<Diagnostic>* out);

}  // namespace cdr::specs::internal
