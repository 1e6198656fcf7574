// pins/<name>.json of a server directory, {"seqs":{"<disk>":S}}: a materialized disk (drill, failover)
// reading the base and the log up to S. Retention never rolls a base past a pinned seq.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

namespace cdr::shadow {

// The lowest pinned seq per disk. A pin file that cannot be read pins every disk at 0 (logged): holding
// space is better than destroying what a DR host still reads.
std::map<std::string, uint64_t> LowestPinnedSeqs(const std::filesystem::path& server_dir, bool* unreadable);

}  // namespace cdr::shadow
