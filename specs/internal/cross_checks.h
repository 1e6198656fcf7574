// Checks that need the whole spec: [provider]/[quota] declared once, unique group names (including old names
// given by renamed_from), unique server names per group (old names too), each host protected once, DR host names unique and
// unlike any server name or host, and the agent quota.
#pragma once

#include <vector>

#include "specs/internal/parsed_document.h"

namespace cdr::specs::internal {

// `documents` in the order read; "first" occurrences are the earliest in that order.
void CheckCrossReferences(const std::vector<ParsedDocument>& documents, std::vector<Diagnostic>* out);

}  // namespace cdr::specs::internal
