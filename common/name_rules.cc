#include "common/name_rules.h"

#include <cctype>
#include <cstdio>
#include <vector>

namespace cdr {
namespace {

bool IsLetter(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }
bool IsLetterOrDigit(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

struct Rule {
  size_t min_length;
  size_t max_length;
  std::string_view extra_chars;  // allowed besides letters and digits
  std::string_view allowed_text;
  bool alnum_last;
  bool letter_first = true;
};

std::string Problems(std::string_view name, const Rule& rule) {
  std::vector<std::string> problems;
  if (name.size() < rule.min_length || name.size() > rule.max_length) {
    problems.push_back("must be " + std::to_string(rule.min_length) + "–" + std::to_string(rule.max_length) +
                       " characters long (it has " + std::to_string(name.size()) + ")");
  }
  if (!name.empty() && rule.letter_first && !IsLetter(name.front())) {
    problems.push_back("must start with a letter");
  } else if (!name.empty() && !IsLetterOrDigit(name.front())) {
    problems.push_back("must start with a letter or digit");
  }
  for (char c : name) {
    if (!IsLetterOrDigit(c) && rule.extra_chars.find(c) == std::string_view::npos) {
      // A control character is named by its code: printed as is, a newline would forge a line of output.
      const bool printable = std::isprint(static_cast<unsigned char>(c)) != 0;
      char code[8];
      std::snprintf(code, sizeof code, "\\x%02x", static_cast<unsigned char>(c));
      problems.push_back("bad character " + (printable ? "'" + std::string(1, c) + "'" : std::string(code)) +
                         " (allowed: " + std::string(rule.allowed_text) + ")");
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

std::string IdentifierProblems(std::string_view name) {
  return Problems(name, {1, 63, "-_", "letters, digits, '-' and '_'", false, false});
}

}  // namespace cdr
