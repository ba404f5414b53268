#pragma once
// Starting a worker process and waiting for it. Internal to apphost.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/core.h"

namespace ssf::apphost::spawn {

// The socket number a worker finds its end of the socket pair on ($SSF_WORKER_FD).
inline constexpr int kWorkerFd = 3;

struct Child {
  pid_t pid = -1;
  int fd = -1;     // our end of the socket pair (close-on-exec)
  int pidfd = -1;  // a pidfd for the child, or -1 when the kernel has none (before Linux 5.3)
};

// Starts `argv` (found on PATH when it has no '/') in `cwd`, with our environment plus `env`,
// stdin from /dev/null, stdout and stderr inherited, one end of a new socket pair as fd
// kWorkerFd, in a process group of its own, with default signal dispositions and mask.
// Errors: InternalError naming the program and the cause.
Result<Child> start(const std::vector<std::string>& argv, const std::filesystem::path& cwd,
                    const std::vector<std::pair<std::string, std::string>>& env);

// Waits until `pid` (our child) has exited, without reaping it, for at most `timeout` (nullopt:
// for ever). Returns whether it exited.
bool wait_exit(pid_t pid, int pidfd, std::optional<std::chrono::milliseconds> timeout);

// Reaps an exited child. Returns its exit status, 128 + N when killed by signal N.
int reap(pid_t pid);

}  // namespace ssf::apphost::spawn
