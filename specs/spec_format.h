// `cdr fmt`: one canonical layout for spec files, so reviews show changes of meaning and not of spacing, as
// `terraform fmt` does for HCL. Comments, key order and values are kept as written; only layout changes:
//
//   - `key=value`, `key   =  value` → `key = value`; indentation before keys, headers and comments removed
//   - `[ group.server ]` → `[group.server]`, `[[ group ]]` → `[[group]]`
//   - one blank line before each table header (before the comments directly above it), never two in a row,
//     none at the start; trailing whitespace removed; LF line ends; one newline at the end
//   - multi-line strings and arrays are left exactly as written
//
// The result is parsed again and must be the same TOML document as the input, or nothing is returned.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace cdr::specs {

// The canonical text of `text`. InvalidArgument with file:line:column when it is not TOML; Internal if the
// layout would change the document (a bug: the file is then left alone).
Result<std::string> FormatSpecText(std::string_view text, const std::string& file);

}  // namespace cdr::specs
