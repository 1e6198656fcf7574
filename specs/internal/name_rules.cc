#include "specs/internal/name_rules.h"

#include <cctype>
#include <vector>

namespace cdr::specs::internal {
namespace {

bool IsLetter(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }
bool IsLetterOrDigit(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

struct Rule {
  size_t min_length;
  size_t max_length;
  std::string_view extra_chars;  // allowed besides letters and digits
  std::string_view allowed_text;
  bool alnum_last;
};

std::string Problems(std::string_view name, const Rule& rule) {
  std::vector<std::string> problems;
  if (name.size() < rule.min_length || name.size() > rule.max_length) {
    problems.push_back("must be " + std::to_string(rule.min_length) + "–" + std::to_string(rule.max_length) +
                       " characters long (it has " + std::to_string(name.size()) + ")");
  }
  if (!name.empty() && !IsLetter(name.front())) problems.push_back("must start with a letter");
  for (char c : name) {
    if (!IsLetterOrDigit(c) && rule.extra_chars.find(c) == std::string_view::npos) {
      problems.push_back("bad character '" + std::string(1, c) +
                         "' (allowed: " + std::string(rule.allowed_text) + ")");
      break;  // one bad character is enough to explain the rule
    }
  }
  if (rule.alnum_last && name.size() > 1 && !IsLetterOrDigit(name.back())) {
    problems.push_back("must end with a letter or digit");
  }
  std::string joined;
  for (const std::string& p : problems) joined += (joined.empty() ? "" : "; ") + p;
  return joined;
}

}  // namespace

std::string GroupNameProblems(std::string_view name) {
  return Problems(name, {2, 63, "-_", "letters, digits, '-' and '_'", false});
}

std::string ServerNameProblems(std::string_view name) {
  return Problems(name, {2, 15, "-", "letters, digits and '-'", true});
}

std::string DrHostNameProblems(std::string_view name) { return ServerNameProblems(name); }

}  // namespace cdr::specs::internal
