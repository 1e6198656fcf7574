#include "specs/spec_format.h"

#include <sstream>
#include <vector>

#include <toml++/toml.h>

namespace cdr::specs {
namespace {

std::string_view TrimLeft(std::string_view s) {
  const size_t at = s.find_first_not_of(" \t");
  return at == std::string_view::npos ? std::string_view() : s.substr(at);
}

std::string_view TrimRight(std::string_view s) {
  const size_t at = s.find_last_not_of(" \t\r");
  return at == std::string_view::npos ? std::string_view() : s.substr(0, at + 1);
}

// Tracks what spans lines: a multi-line string (""" or ''') or an array whose brackets are still open.
struct Scanner {
  std::string open_string;  // "\"\"\"" or "'''" while inside one
  int bracket_depth = 0;

  bool InsideMultiline() const { return !open_string.empty() || bracket_depth > 0; }

  // Walks `line` from `from`, updating the state; returns where a comment starts outside strings (npos if none).
  size_t Scan(std::string_view line, size_t from = 0) {
    for (size_t i = from; i < line.size(); ++i) {
      if (!open_string.empty()) {
        if (open_string[0] == '"' && line[i] == '\\') {
          ++i;
          continue;
        }
        if (line.compare(i, 3, open_string) == 0) {
          i += 2;
          open_string.clear();
        }
        continue;
      }
      const char c = line[i];
      if (c == '#') return i;
      if (line.compare(i, 3, "\"\"\"") == 0 || line.compare(i, 3, "'''") == 0) {
        open_string = std::string(line.substr(i, 3));
        i += 2;
      } else if (c == '"' || c == '\'') {
        i = SkipSingleLineString(line, i);
      } else if (c == '[') {
        ++bracket_depth;
      } else if (c == ']') {
        --bracket_depth;
      }
    }
    return std::string_view::npos;
  }

  static size_t SkipSingleLineString(std::string_view line, size_t at) {
    const char quote = line[at];
    for (size_t i = at + 1; i < line.size(); ++i) {
      if (quote == '"' && line[i] == '\\') {
        ++i;
      } else if (line[i] == quote) {
        return i;
      }
    }
    return line.size();
  }
};

// The `=` of a key/value line, outside quoted keys; npos if the line is not one.
size_t FindEquals(std::string_view line) {
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '"' || line[i] == '\'') i = Scanner::SkipSingleLineString(line, i);
    else if (line[i] == '=') return i;
    else if (line[i] == '#' || line[i] == '[') return std::string_view::npos;
  }
  return std::string_view::npos;
}

// A table header without spaces inside its brackets, plus what followed it (a comment) as written.
std::string FormatHeader(std::string_view line) {
  const bool array = line.rfind("[[", 0) == 0;
  const size_t open = array ? 2 : 1;
  const size_t close = line.find(array ? "]]" : "]", open);
  if (close == std::string_view::npos) return std::string(line);
  std::string name;
  for (char c : line.substr(open, close - open))
    if (c != ' ' && c != '\t') name += c;
  const std::string_view rest = line.substr(close + open);
  return (array ? "[[" : "[") + name + (array ? "]]" : "]") + std::string(rest);
}

struct Line {
  std::string text;
  bool header = false;
  bool comment = false;
  bool blank = false;
};

std::vector<Line> LayoutLines(std::string_view text) {
  std::vector<Line> out;
  Scanner scanner;
  std::istringstream in{std::string(text)};
  for (std::string raw; std::getline(in, raw);) {
    std::string_view line = TrimRight(raw);
    if (scanner.InsideMultiline()) {  // verbatim inside multi-line strings and arrays
      scanner.Scan(line);
      out.push_back({std::string(line)});
      continue;
    }
    const std::string_view body = TrimLeft(line);
    if (body.empty()) {
      out.push_back({"", false, false, true});
    } else if (body[0] == '#') {
      out.push_back({std::string(body), false, true});
    } else if (body[0] == '[') {
      out.push_back({FormatHeader(body), true});
    } else if (const size_t eq = FindEquals(body); eq != std::string_view::npos) {
      const std::string_view key = TrimRight(body.substr(0, eq));
      const std::string_view value = TrimLeft(body.substr(eq + 1));
      std::string formatted = std::string(key) + " = " + std::string(value);
      scanner.Scan(formatted, key.size() + 3);
      out.push_back({std::move(formatted)});
    } else {
      out.push_back({std::string(body)});
    }
  }
  return out;
}

std::string Join(const std::vector<Line>& lines) {
  std::string out;
  bool last_blank = true;  // no blank lines at the start
  for (size_t i = 0; i < lines.size(); ++i) {
    const Line& l = lines[i];
    if (l.blank) {
      if (!last_blank) out += "\n";
      last_blank = true;
      continue;
    }
    // A header, or the first of the comment lines directly above a header, starts a new paragraph.
    bool starts_section = l.header && !(i > 0 && lines[i - 1].comment);  // comments above stay attached
    if (l.comment && (i == 0 || !lines[i - 1].comment)) {
      size_t j = i;
      while (j < lines.size() && lines[j].comment) ++j;
      starts_section = j < lines.size() && lines[j].header;
    }
    if (starts_section && !last_blank) out += "\n";
    out += l.text + "\n";
    last_blank = false;
  }
  while (out.size() >= 2 && out.compare(out.size() - 2, 2, "\n\n") == 0) out.pop_back();
  return out;
}

Result<toml::table> Parse(std::string_view text, const std::string& file) {
  try {
    return toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    return InvalidArgument(file + ":" + std::to_string(e.source().begin.line) + ":" +
                           std::to_string(e.source().begin.column) + ": " + std::string(e.description()));
  }
}

}  // namespace

Result<std::string> FormatSpecText(std::string_view text, const std::string& file) {
  auto before = Parse(text, file);
  if (!before.ok()) return before.status();
  std::string formatted = Join(LayoutLines(text));
  auto after = Parse(formatted, file);
  if (!after.ok() || !(*after == *before)) {
    return Internal(file + ": formatting would change the document; the file is left as it is (a cdr bug: "
                           "please report it with the file)");
  }
  return formatted;
}

}  // namespace cdr::specs
