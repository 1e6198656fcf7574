// Where a drill's verification stands, as the DR host's record holds it (attributes.verification.result) and
// status and drift show it. The provider's verdicts are passed, failed and unknown (nothing to compare with);
// cdr itself records running before the check starts, error when the check could not run, and status shows a
// running one no live apply holds as interrupted. A name this release does not know parses to nullopt: no
// verdict is assumed from it.
#pragma once

#include <optional>
#include <string_view>

#include "common/enum_names.h"

namespace cdr::reconcile {

enum class VerificationResult { kRunning, kPassed, kFailed, kUnknown, kError, kInterrupted };

inline constexpr EnumName<VerificationResult> kVerificationResultNames[] = {
    {VerificationResult::kRunning, "running"}, {VerificationResult::kPassed, "passed"},
    {VerificationResult::kFailed, "failed"},   {VerificationResult::kUnknown, "unknown"},
    {VerificationResult::kError, "error"},     {VerificationResult::kInterrupted, "interrupted"},
};

constexpr const char* VerificationResultName(VerificationResult result) {
  return NameOf(kVerificationResultNames, result);
}

constexpr std::optional<VerificationResult> ParseVerificationResult(std::string_view name) {
  return ParseName(kVerificationResultNames, name);
}

}  // namespace cdr::reconcile
