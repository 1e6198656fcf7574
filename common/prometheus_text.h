// Writes the Prometheus text exposition format (0.0.4). Every cdr exporter (cdr-agent, cdr-shadow, cdr-dr-disk,
// cdr serve) labels its series with cdr's names, group="…" and server="…", so they can be joined across
// exporters; this writer keeps the escaping and the number spelling in one place.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cdr {

inline constexpr std::string_view kPrometheusTextContentType = "text/plain; version=0.0.4; charset=utf-8";

using PrometheusLabels = std::vector<std::pair<std::string, std::string>>;

class PrometheusText {
 public:
  // Starts a family: its # HELP and # TYPE lines. Samples of the family follow.
  void Family(std::string_view name, std::string_view type, std::string_view help);
  void Sample(std::string_view name, const PrometheusLabels& labels, double value);

  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

// Escapes a label value (backslash, double quote, newline) as the exposition format requires.
std::string PrometheusLabelValue(std::string_view value);
// The Go spelling of a sample value (NaN, +Inf, -Inf; integers without a fraction).
std::string PrometheusNumber(double value);

}  // namespace cdr
