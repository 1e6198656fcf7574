// Finds what AddressSanitizer, LeakSanitizer and UBSan print in a program's output. Under `make test-asan` every
// program a test starts is instrumented, and a report in a child's stderr or log must fail the test even when the
// child's exit status is never seen (a daemon stopped with SIGTERM, a process killed at the end of a test).
#pragma once

#include <filesystem>
#include <string>

namespace cdr::testing {

// The first report in `output`, from its first line up to a bounded length, or "" when there is none.
std::string SanitizerReport(const std::string& output);

// Adds a test failure naming `what` when the file holds a report.
void ExpectNoSanitizerReport(const std::filesystem::path& file, const std::string& what);

}  // namespace cdr::testing
