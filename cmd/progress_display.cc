#include "cmd/progress_display.h"

#include <fmt/format.h>

#include <algorithm>
#include <iostream>

#include "common/human_bytes.h"

namespace cdr::cmd {

std::string FormatProgressLine(const reconcile::ReplicationProgress& p, bool with_bar) {
  std::string bar;
  if (with_bar) {
    constexpr int kWidth = 20;
    const int filled = std::clamp(static_cast<int>(p.progress_percent / 100.0 * kWidth + 0.5), 0, kWidth);
    bar = "[" + std::string(filled, '#') + std::string(kWidth - filled, '.') + "]  ";
  }
  const std::string rpo = p.lag_seconds < 0 ? "-" : fmt::format("{:.1f}s", p.lag_seconds);
  return fmt::format("{}  {:<20} {}{:5.1f}%  {}/{}  RPO {}  {:.0f}s", p.address, p.state, bar, p.progress_percent,
                     HumanBytes(p.bytes_sent), HumanBytes(p.size_bytes), rpo, p.elapsed_seconds);
}

void ProgressDisplay::Update(const reconcile::ReplicationProgress& p) {
  const auto now = std::chrono::steady_clock::now();
  if (terminal_) {
    // \033[K clears what a longer previous line left behind.
    std::cerr << "\r" << FormatProgressLine(p, true) << "\033[K" << (p.finished ? "\n" : "") << std::flush;
    return;
  }
  const bool changed = p.address != last_address_ || p.state != last_state_;
  const bool due = p.progress_percent - last_percent_ >= 10 || now - last_line_ >= std::chrono::seconds(5);
  if (!changed && !due && !p.finished) return;
  std::cerr << FormatProgressLine(p, false) << "\n" << std::flush;
  last_address_ = p.address;
  last_state_ = p.state;
  last_percent_ = p.progress_percent;
  last_line_ = now;
}

}  // namespace cdr::cmd
