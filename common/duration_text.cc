#include "common/duration_text.h"

#include <array>
#include <cctype>
#include <string>
#include <utility>

namespace cdr {
namespace {

constexpr std::array<std::pair<std::string_view, int64_t>, 4> kUnits = {
    {{"ms", 1}, {"s", 1000}, {"m", 60 * 1000}, {"h", 3600 * 1000}}};
constexpr int64_t kMaxMillis = 30LL * 24 * 3600 * 1000;

Status NotADuration(std::string_view text) {
  return InvalidArgument("`" + std::string(text) +
                         "` is not a duration: write a number with a unit, e.g. 500ms, 30s, 5m, 1h30m (or 0)");
}

}  // namespace

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  if (text == "0") return std::chrono::milliseconds(0);
  if (text.empty()) return NotADuration(text);
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    int64_t number = 0;
    const size_t digits_at = i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) && number <= kMaxMillis)
      number = number * 10 + (text[i++] - '0');
    if (i == digits_at || number > kMaxMillis) return NotADuration(text);
    const size_t unit_at = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    const std::string_view unit = text.substr(unit_at, i - unit_at);
    int64_t scale = 0;
    for (const auto& [name, millis] : kUnits)
      if (name == unit) scale = millis;
    if (scale == 0) return NotADuration(text);
    total += number * scale;
    if (total > kMaxMillis) return InvalidArgument("`" + std::string(text) + "` is longer than 30 days");
  }
  return std::chrono::milliseconds(total);
}

}  // namespace cdr
