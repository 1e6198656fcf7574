// Per-file validation of [group.server.failback] (docs/state-machine.md, failback): `restore_to_original` and
// `cutover`.
#pragma once

#include <toml++/toml.h>

#include <string>
#include <vector>

#include "specs/spec.h"

namespace cdr::specs::internal {

// `path` names the table in diagnostics ("group.web.server.web-1.failback").
FailbackSpec ParseFailback(const toml::table& table, const std::string& file, std::string path,
                           std::vector<Diagnostic>* out);

}  // namespace cdr::specs::internal
