// Group commit of one file's sync: every caller that asks while a sync is running waits for the next one, and
// that next one serves all of them, so N concurrent FLUSH/FUA requests cost about two fdatasyncs, not N.
//
//   caller ──► ticket = ++requested ──► a sync started after the ticket completed? ── yes ──► its status
//                                            │ no
//                                            ├── nobody syncing: run sync(), covering tickets <= requested
//                                            └── someone syncing: wait for it to end, then look again
//
// A sync covers a ticket only if it started after the ticket was taken: only then was every write the caller
// completed before asking already in the page cache when fdatasync ran.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>

#include "common/status.h"

namespace cdr::agent {

class GroupCommit {
 public:
  // Runs `sync` or waits for a run that started after this call; returns the status of the run that covered it.
  Status Run(const std::function<Status()>& sync);

  // How many times `sync` ran (for tests and metrics).
  uint64_t runs() const;

 private:
  mutable std::mutex mutex_;
  std::condition_variable done_;
  uint64_t requested_ = 0;  // last ticket handed out
  uint64_t covered_ = 0;    // every ticket <= covered_ was served by a completed run
  uint64_t failed_covers_ = 0;  // highest ticket covered by a failed run
  Status failed_status_ = Status::Ok();
  bool running_ = false;
  uint64_t runs_ = 0;
};

}  // namespace cdr::agent
