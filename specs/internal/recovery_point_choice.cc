#include "specs/internal/recovery_point_choice.h"

#include <array>
#include <cctype>
#include <regex>

#include "common/rfc3339.h"
#include "specs/internal/suggest.h"

namespace cdr::specs::internal {
namespace {

constexpr char kChoices[] =
    "must be `latest`, an RFC 3339 time such as `2026-11-25T10:00:00Z`, or a recovery point id such as "
    "`rp-20261125T100000Z`";

}  // namespace

bool IsRecoveryPointId(std::string_view text) {
  static const std::regex kId("rp-[0-9]{8}T[0-9]{6}Z(-[0-9]+|-g[0-9]{3})?");
  return std::regex_match(text.begin(), text.end(), kId);
}

std::string ParseRecoveryPointText(std::string_view text, RecoveryPointChoice* choice) {
  const std::string quoted = "`" + std::string(text) + "`";
  choice->text = std::string(text);
  if (text == "latest") {
    choice->kind = RecoveryPointChoice::Kind::kLatest;
    return "";
  }
  if (text.starts_with("rp-")) {
    if (!IsRecoveryPointId(text)) {
      return "invalid recovery point id " + quoted +
             ": must be rp-YYYYMMDDTHHMMSSZ, optionally followed by -N (e.g. rp-20261125T100000Z or "
             "rp-20261125T100000Z-2), as `cdr recovery-points` lists them";
    }
    choice->kind = RecoveryPointChoice::Kind::kId;
    return "";
  }
  if (!text.empty() && std::isdigit(static_cast<unsigned char>(text.front()))) {
    std::string problem;
    if (!ParseRfc3339(text, &choice->time_ns, &problem)) return "time " + quoted + " " + problem;
    choice->kind = RecoveryPointChoice::Kind::kTime;
    return "";
  }
  std::string message = "unknown value " + quoted + ": " + kChoices;
  constexpr std::array<std::string_view, 1> kWords = {"latest"};
  if (std::optional<std::string> hint = Suggest(text, kWords)) message += " (did you mean `" + *hint + "`?)";
  return message;
}

}  // namespace cdr::specs::internal
