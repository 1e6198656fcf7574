#include "specs/internal/suggest.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace cdr::specs::internal {
namespace {

std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

int EditDistance(std::string_view a, std::string_view b) {
  // One rolling row: keys are short, so the quadratic time is irrelevant but the allocation is kept small.
  std::vector<int> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    int diagonal = row[0];
    row[0] = static_cast<int>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      const int above = row[j];
      const int substitute = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({above + 1, row[j - 1] + 1, substitute});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::optional<std::string> Suggest(std::string_view word, std::span<const std::string_view> candidates) {
  const std::string lower_word = AsciiLower(word);
  std::optional<std::string> best;
  int best_distance = 0;
  for (std::string_view candidate : candidates) {
    const int distance = EditDistance(lower_word, AsciiLower(candidate));
    const int allowed = std::max(2, static_cast<int>(candidate.size()) / 3);
    if (distance > allowed) continue;
    if (!best || distance < best_distance) {
      best = std::string(candidate);
      best_distance = distance;
    }
  }
  return best;
}

}  // namespace cdr::specs::internal
