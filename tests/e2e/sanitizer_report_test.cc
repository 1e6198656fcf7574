// The harness fails a test on a sanitizer report in a child's output (tests/support/sanitizer_report.h); these
// are the report shapes it must recognise, and ordinary output it must not.
#include "tests/support/sanitizer_report.h"

#include <gtest/gtest.h>

namespace cdr::testing {
namespace {

TEST(SanitizerReportTest, FindsAsanLeakAndUbsanReportsFromTheirFirstLine) {
  const std::string asan =
      "info: listening\n==4242==ERROR: AddressSanitizer: heap-use-after-free on address 0x602\n    #0 0x5 in f\n";
  EXPECT_EQ(SanitizerReport(asan).rfind("==4242==ERROR: AddressSanitizer: heap-use-after-free", 0), 0u);
  EXPECT_NE(SanitizerReport("\n==7==ERROR: LeakSanitizer: detected memory leaks\n"), "");
  EXPECT_NE(SanitizerReport("common/x.cc:12:7: runtime error: signed integer overflow\n"), "");
  EXPECT_NE(SanitizerReport("AddressSanitizer:DEADLYSIGNAL\n==9==ERROR: AddressSanitizer: SEGV\n"), "");
}

TEST(SanitizerReportTest, OrdinaryOutputIsNoReport) {
  EXPECT_EQ(SanitizerReport(""), "");
  EXPECT_EQ(SanitizerReport("[warn] replication error: connection reset\nApply complete!\n"), "");
}

}  // namespace
}  // namespace cdr::testing
