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
  return fmt::format("{}  {:<20} {}{:5.1f}%  {}/{}  RPO {}  {:.0f}s", p.address, p.state, bar,
                     p.progress_percent, HumanBytes(p.bytes_sent), HumanBytes(p.size_bytes), rpo,
                     p.elapsed_seconds);
}

void ProgressDisplay::EraseBlock() {
  // Up to the block's first line, then clear to the end of the screen.
  if (drawn_ > 0) std::cerr << "\r\033[" << drawn_ << "A\033[J";
  drawn_ = 0;
}

void ProgressDisplay::DrawBlock() {
  // \033[K clears what a longer previous line left behind.
  for (const auto& p : running_) std::cerr << FormatProgressLine(p, true) << "\033[K\n";
  drawn_ = static_cast<int>(running_.size());
  std::cerr << std::flush;
}

void ProgressDisplay::Line(const std::string& text) {
  if (!terminal_) {
    std::cout << text << "\n" << std::flush;
    return;
  }
  EraseBlock();
  std::cerr << std::flush;
  std::cout << text << "\n" << std::flush;
  DrawBlock();
}

void ProgressDisplay::Update(const reconcile::ReplicationProgress& p) {
  if (terminal_) {
    EraseBlock();
    auto it =
        std::find_if(running_.begin(), running_.end(), [&](const auto& r) { return r.address == p.address; });
    if (p.finished) {
      if (it != running_.end()) running_.erase(it);
      std::cerr << FormatProgressLine(p, true) << "\033[K\n";
    } else if (it != running_.end()) {
      *it = p;
    } else {
      running_.push_back(p);
    }
    DrawBlock();
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  Shown& last = shown_[p.address];
  const bool changed = p.state != last.state;
  const bool due = p.progress_percent - last.percent >= 10 || now - last.at >= std::chrono::seconds(5);
  if (p.finished) {
    shown_.erase(p.address);
  } else if (!changed && !due) {
    return;
  } else {
    last = {p.state, p.progress_percent, now};
  }
  std::cerr << FormatProgressLine(p, false) << "\n" << std::flush;
}

}  // namespace cdr::cmd
