#include "tests/support/sanitizer_report.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <sstream>

namespace cdr::testing {

std::string SanitizerReport(const std::string& output) {
  static constexpr std::array<const char*, 4> kMarkers = {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                                                          ": runtime error: ", "AddressSanitizer:DEADLYSIGNAL"};
  size_t first = std::string::npos;
  for (const char* marker : kMarkers) first = std::min(first, output.find(marker));
  if (first == std::string::npos) return "";
  const size_t line_start = output.rfind('\n', first);
  const size_t from = line_start == std::string::npos ? 0 : line_start + 1;
  return output.substr(from, 6000);
}

void ExpectNoSanitizerReport(const std::filesystem::path& file, const std::string& what) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return;
  std::stringstream text;
  text << in.rdbuf();
  const std::string report = SanitizerReport(text.str());
  EXPECT_TRUE(report.empty()) << what << " (" << file.string() << ") has a sanitizer report:\n" << report;
}

}  // namespace cdr::testing
