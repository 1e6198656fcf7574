// Runs independent calls on a bounded number of threads: refresh asks the provider about every resource and
// every agent for its status, each call waiting on its own answer (a process, an HTTP round trip), so one
// after another they add up to most of a plan's time. The bound keeps a large estate from opening hundreds of
// connections at once.
#pragma once

#include <cstddef>
#include <functional>

namespace cdr::reconcile {

// Calls fn(0) … fn(count - 1), each once, on up to `parallelism` threads (the caller's among them), and
// returns when every call has returned. fn must not throw; calls for different indexes may run at the same
// time.
void ForEachBounded(size_t count, size_t parallelism, const std::function<void(size_t)>& fn);

}  // namespace cdr::reconcile
