"""What the threads of some processes are doing: every 2 ms for SECONDS, each thread's state (R running or
runnable, S sleeping, D in uninterruptible I/O) and its current system call, read from /proc/PID/task/TID/stat
and .../syscall (root, or the same user with ptrace allowed). Prints one line per thread that lived through
most of the window: "TID  state:call share, ..." (e.g. "S:futex 70%, R:user 12%"), the input to
bench/nbd_profile.sh's TOOL=threads.

    python3 bench/thread_states.py SECONDS PID [PID ...]
"""
import collections
import os
import sys
import time

# x86-64 numbers of the calls the agent and the shadow make; others print as their number.
CALLS = {0: "read", 1: "write", 3: "close", 7: "poll", 9: "mmap", 10: "mprotect", 11: "munmap", 16: "ioctl",
         17: "pread", 18: "pwrite", 19: "readv", 20: "writev", 28: "madvise", 44: "sendto", 45: "recvfrom",
         46: "sendmsg", 47: "recvmsg", 74: "fsync", 75: "fdatasync", 82: "rename", 87: "unlink", 202: "futex",
         230: "nanosleep", 232: "epoll_wait", 257: "openat", 271: "ppoll", 285: "fallocate", 295: "preadv",
         296: "pwritev"}


def state_of(pid, tid):
    with open(f"/proc/{pid}/task/{tid}/stat") as f:
        state = f.read().rsplit(")", 1)[1].split()[0]
    with open(f"/proc/{pid}/task/{tid}/syscall") as f:
        call = f.read().split()[0]
    if call == "running":
        return f"{state}:user"
    if call.lstrip("-").isdigit():
        return f"{state}:{CALLS.get(int(call), call)}"
    return f"{state}:{call}"


def main():
    seconds, pids = float(sys.argv[1]), sys.argv[2:]
    seen = collections.defaultdict(collections.Counter)
    rounds = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for pid in pids:
            try:
                tids = os.listdir(f"/proc/{pid}/task")
            except FileNotFoundError:
                continue
            for tid in tids:
                try:
                    seen[tid][state_of(pid, tid)] += 1
                except (OSError, IndexError):
                    continue  # the thread ended between the listing and the read
        rounds += 1
        time.sleep(0.002)
    for tid, counts in seen.items():
        total = sum(counts.values())
        if total < rounds / 2:
            continue
        print(tid, ", ".join(f"{k} {100 * v / total:.0f}%" for k, v in counts.most_common(5)))


if __name__ == "__main__":
    main()
