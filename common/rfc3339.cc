#include "common/rfc3339.h"

#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <limits>

namespace cdr {
namespace {

constexpr char kShape[] =
    "expected YYYY-MM-DDTHH:MM:SS[.fraction] followed by `Z` or an offset such as `+08:00`";

bool IsDigit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

// Reads the text left to right; each step either consumes what it expects or leaves the cursor alone.
class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}

  bool AtEnd() const { return i_ == text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[i_]; }

  bool Number(int digits, int* value) {
    if (text_.size() - i_ < static_cast<size_t>(digits)) return false;
    int v = 0;
    for (int k = 0; k < digits; ++k) {
      if (!IsDigit(text_[i_ + k])) return false;
      v = v * 10 + (text_[i_ + k] - '0');
    }
    i_ += digits;
    *value = v;
    return true;
  }

  bool Char(std::string_view any_of) {
    if (AtEnd() || any_of.find(text_[i_]) == std::string_view::npos) return false;
    ++i_;
    return true;
  }

  // The digits after a '.', scaled to nanoseconds; false when there are none or more than 9.
  bool Fraction(int* nanosecond, std::string* problem) {
    size_t digits = 0;
    int value = 0;
    while (!AtEnd() && IsDigit(text_[i_])) {
      if (++digits > 9) {
        *problem = "has more than 9 fraction digits (nanoseconds are the finest precision)";
        return false;
      }
      value = value * 10 + (text_[i_++] - '0');
    }
    if (digits == 0) {
      *problem = std::string("has no digits after the decimal point: ") + kShape;
      return false;
    }
    for (size_t k = digits; k < 9; ++k) value *= 10;
    *nanosecond = value;
    return true;
  }

 private:
  std::string_view text_;
  size_t i_ = 0;
};

bool Shape(std::string* problem) {
  *problem = std::string("is not an RFC 3339 time: ") + kShape;
  return false;
}

}  // namespace

bool CivilTimeToUnixNanos(const CivilTime& t, int64_t* ns, std::string* problem) {
  using namespace std::chrono;
  const year_month_day date{year{t.year}, month{static_cast<unsigned>(t.month)},
                            day{static_cast<unsigned>(t.day)}};
  if (t.month < 1 || t.month > 12) {
    *problem = "has month " + std::to_string(t.month) + " (must be 1–12)";
    return false;
  }
  if (!date.ok()) {
    *problem = "has day " + std::to_string(t.day) + ", which month " + std::to_string(t.month) + " of " +
               std::to_string(t.year) + " does not have";
    return false;
  }
  if (t.hour > 23 || t.minute > 59 || t.second > 59) {
    *problem =
        "has a time of day out of range (hours 00–23, minutes and seconds 00–59; leap seconds are not "
        "supported)";
    return false;
  }
  if (t.offset_minutes <= -24 * 60 || t.offset_minutes >= 24 * 60) {
    *problem = "has a zone offset out of range (hours 00–23, minutes 00–59)";
    return false;
  }
  const int64_t days = sys_days(date).time_since_epoch().count();
  const int64_t seconds =
      days * 86400 + t.hour * 3600 + t.minute * 60 + t.second - static_cast<int64_t>(t.offset_minutes) * 60;
  constexpr int64_t kMaxSeconds = std::numeric_limits<int64_t>::max() / 1'000'000'000 - 1;
  if (seconds < 0 || seconds > kMaxSeconds) {
    *problem = "is outside the range of recovery point times (1970 to 2262, UTC)";
    return false;
  }
  *ns = seconds * 1'000'000'000 + t.nanosecond;
  return true;
}

bool ParseRfc3339(std::string_view text, int64_t* ns, std::string* problem) {
  Cursor c(text);
  CivilTime t;
  if (!c.Number(4, &t.year) || !c.Char("-") || !c.Number(2, &t.month) || !c.Char("-") ||
      !c.Number(2, &t.day)) {
    return Shape(problem);
  }
  if (c.AtEnd()) {
    *problem =
        "is a date without a time of day: write a full time such as `" + std::string(text) + "T00:00:00Z`";
    return false;
  }
  if (!c.Char("Tt ") || !c.Number(2, &t.hour) || !c.Char(":") || !c.Number(2, &t.minute) || !c.Char(":") ||
      !c.Number(2, &t.second)) {
    return Shape(problem);
  }
  if (c.Char(".") && !c.Fraction(&t.nanosecond, problem)) return false;
  if (c.AtEnd()) {
    *problem = "has no time zone: add `Z` for UTC or an offset such as `+08:00`";
    return false;
  }
  if (!c.Char("Zz")) {
    const char sign = c.Peek();
    int hours = 0;
    int minutes = 0;
    if (!c.Char("+-") || !c.Number(2, &hours) || !c.Char(":") || !c.Number(2, &minutes))
      return Shape(problem);
    if (hours > 23 || minutes > 59) {
      *problem = "has a zone offset out of range (hours 00–23, minutes 00–59)";
      return false;
    }
    t.offset_minutes = (sign == '-' ? -1 : 1) * (hours * 60 + minutes);
  }
  if (!c.AtEnd()) return Shape(problem);
  return CivilTimeToUnixNanos(t, ns, problem);
}

std::string FormatRfc3339Nanos(int64_t time_ns) {
  const std::time_t seconds = static_cast<std::time_t>(time_ns / 1'000'000'000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(time_ns % 1'000'000'000));
  return buf;
}

}  // namespace cdr
