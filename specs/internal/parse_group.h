// Per-file validation of one [[group]] table and its [[group.server]] tables.
#pragma once

#include <toml++/toml.h>

#include <string>
#include <vector>

#include "specs/internal/parsed_document.h"

namespace cdr::specs::internal {

// `index` is the group's position in this file's [[group]] array, used in paths until the name is known.
ParsedGroup ParseGroup(const toml::table& table, const std::string& file, size_t index,
                       std::vector<Diagnostic>* out);

}  // namespace cdr::specs::internal
