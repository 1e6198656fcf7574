// How `cdr apply` shows a replication transition it waits for. On a terminal (stderr) one line redrawn in place:
//   group.web.server.web-1  full_sync  [##########..........]  52.3%  1.2 GiB/2.0 GiB  RPO 0.4s  12s
// otherwise (CI logs, pipes) a plain line when the state changes, every 10 % or every 5 s.
#pragma once

#include <chrono>
#include <string>

#include "reconcile/apply.h"

namespace cdr::cmd {

class ProgressDisplay {
 public:
  explicit ProgressDisplay(bool terminal) : terminal_(terminal) {}
  void Update(const reconcile::ReplicationProgress& p);

 private:
  bool terminal_;
  std::string last_address_;
  std::string last_state_;
  double last_percent_ = -100;
  std::chrono::steady_clock::time_point last_line_{};
};

std::string FormatProgressLine(const reconcile::ReplicationProgress& p, bool with_bar);

}  // namespace cdr::cmd
