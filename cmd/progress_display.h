// How `cdr apply` shows its steps and the replication transitions they wait for. Steps report plain lines
// ("group.web.server.web-1: Registering...") on stdout. On a terminal (stderr) every transition under way has
// a line of its own below them, redrawn in place; parallel steps each keep theirs:
//   group.web.server.web-1  full_sync  [##########..........]  52.3%  1.2 GiB/2.0 GiB  RPO -  12s
//   group.web.server.web-2  full_sync  [####................]  21.0%  430 MiB/2.0 GiB  RPO -  12s
// A finished transition's last line stays above the block. Otherwise (CI logs, pipes) each transition prints
// a plain line when its state changes, every 10 % or every 5 s. Calls come one at a time (Apply serializes
// them).
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "reconcile/apply.h"

namespace cdr::cmd {

class ProgressDisplay {
 public:
  explicit ProgressDisplay(bool terminal) : terminal_(terminal) {}
  // A step's report line.
  void Line(const std::string& text);
  void Update(const reconcile::ReplicationProgress& p);

 private:
  struct Shown {
    std::string state;
    double percent = -100;
    std::chrono::steady_clock::time_point at{};
  };
  void EraseBlock();
  void DrawBlock();

  bool terminal_;
  std::vector<reconcile::ReplicationProgress> running_;  // the terminal block, in the order the waits began
  int drawn_ = 0;                                        // lines of the block now on the screen
  std::map<std::string, Shown> shown_;                   // plain output: the last line printed per address
};

std::string FormatProgressLine(const reconcile::ReplicationProgress& p, bool with_bar);

}  // namespace cdr::cmd
