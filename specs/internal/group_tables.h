// [group.failover] and [group.failback]: the group-wide tables that move every server of a group at once (Zerto's
// VPG move and failback). They are parsed here and expanded here, in one place, into each server's own
// FailoverSpec / FailbackSpec (marked from_group), so the reconciler plans them with the per-server machinery.
//
//   [group.failover]  → server S: failover { name = S + name_suffix, flavor, disk_type,
//                                            recovery_point = the group's choice, confirm }
//   [group.failback]  → server S: failback { restore_to_original, cutover,
//                                            name = S + name_suffix (restore_to_original = false), flavor }
//
// A group table next to a per-server table of the same kind in that group is an error: one server would be told
// two things.
#pragma once

#include <toml++/toml.h>

#include <vector>

#include "specs/internal/parsed_document.h"

namespace cdr::specs::internal {

class TableReader;

// Reads the two tables of the group `r` reads (when present) into group->spec.
void ParseGroupTables(TableReader& r, ParsedGroup* group, std::vector<Diagnostic>* out);

// Gives every server of the group the failover / failback the group tables declare. Call once the servers are
// parsed.
void ExpandGroupTables(ParsedGroup* group, std::vector<Diagnostic>* out);

}  // namespace cdr::specs::internal
