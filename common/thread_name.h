// Names the calling thread (at most 15 characters, the kernel's limit), so that `top -H`, `perf` and
// bench/nbd_profile.sh's TOOL=threads tell the agent's NBD workers, its realtime sender and the shadow's
// frame reader and connection (applying) thread apart. Only a diagnostic aid: a failure is ignored.
#pragma once

#include <pthread.h>

namespace cdr {

inline void NameThisThread(const char* name) { (void)pthread_setname_np(pthread_self(), name); }

}  // namespace cdr
