// "Did you mean" hints for misspelt keys.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace cdr::specs::internal {

// Levenshtein distance (insert, delete, substitute each cost 1).
int EditDistance(std::string_view a, std::string_view b);

// The candidate closest to `word` when it is close enough to be a likely typo: an edit distance of at most 2,
// or at most a third of the candidate's length (so long keys tolerate more slips), ignoring ASCII case (so
// `SSD` and `DHCP` find `ssd` and `dhcp`). Ties go to the earlier candidate.
std::optional<std::string> Suggest(std::string_view word, std::span<const std::string_view> candidates);

}  // namespace cdr::specs::internal
