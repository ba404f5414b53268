#include "apphost/spawn.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <thread>

extern char** environ;

namespace ssf::apphost::spawn {
namespace {

// A send to a worker that stopped reading fails after this instead of blocking its caller for
// ever; the worker is then killed (worker_process.cpp), since half a frame breaks the stream.
constexpr int kSendTimeoutSeconds = 60;

std::vector<std::string> environment(const std::vector<std::pair<std::string, std::string>>& add) {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string_view kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string_view::npos) env[std::string(kv.substr(0, eq))] = kv.substr(eq + 1);
  }
  for (const auto& [k, v] : add) env[k] = v;
  std::vector<std::string> out;
  out.reserve(env.size());
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

Error start_error(const std::string& program, int err) {
  return Error(ResultCode::InternalError,
               "cannot start worker " + program + ": " + std::string(strerror(err)));
}

int pidfd_open(pid_t pid) {
#ifdef SYS_pidfd_open
  int fd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (fd >= 0) fcntl(fd, F_SETFD, FD_CLOEXEC);
  return fd;
#else
  (void)pid;
  return -1;
#endif
}

}  // namespace

Result<Child> start(const std::vector<std::string>& argv, const std::filesystem::path& cwd,
                    const std::vector<std::pair<std::string, std::string>>& env) {
  if (argv.empty()) return Error(ResultCode::InternalError, "cannot start worker: no program");
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    return start_error(argv[0], errno);
  }
  // dup2 onto the same number would keep close-on-exec set, so the child's end must not be 3.
  if (sv[1] == kWorkerFd) {
    int moved = fcntl(sv[1], F_DUPFD_CLOEXEC, kWorkerFd + 1);
    close(sv[1]);
    sv[1] = moved;
    if (moved < 0) {
      int err = errno;
      close(sv[0]);
      return start_error(argv[0], err);
    }
  }
  timeval timeout{kSendTimeoutSeconds, 0};
  setsockopt(sv[0], SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, sv[1], kWorkerFd);
  if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());

  // Own process group: a terminal's Ctrl-C goes to the server, which drains and then stops the
  // workers itself. Default dispositions and an empty mask: the server may ignore SIGPIPE or
  // block SIGINT/SIGTERM in the thread that happens to start a worker, and an exec'd program
  // would inherit both.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t mask;
  sigemptyset(&mask);
  posix_spawnattr_setsigmask(&attr, &mask);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2}) {
    sigaddset(&defaults, sig);
  }
  posix_spawnattr_setsigdefault(&attr, &defaults);

  std::vector<std::string> args = argv;
  std::vector<std::string> envs = environment(env);
  auto c_args = c_strings(args);
  auto c_env = c_strings(envs);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, argv[0].c_str(), &actions, &attr, c_args.data(), c_env.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(sv[1]);
  if (rc != 0) {
    close(sv[0]);
    return start_error(argv[0], rc);
  }
  return Child{pid, sv[0], pidfd_open(pid)};
}

bool wait_exit(pid_t pid, int pidfd, std::optional<std::chrono::milliseconds> timeout) {
  using Clock = std::chrono::steady_clock;
  auto deadline = timeout ? Clock::now() + *timeout : Clock::time_point::max();
  if (pidfd >= 0) {
    while (true) {
      int wait_ms = -1;
      if (timeout) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        wait_ms = static_cast<int>(std::max<int64_t>(0, left.count()));
      }
      pollfd p{pidfd, POLLIN, 0};
      int n = poll(&p, 1, wait_ms);
      if (n > 0) return true;
      if (n == 0) return false;
      if (errno != EINTR) break;  // fall back to polling waitid below
    }
  }
  if (!timeout) {
    siginfo_t info{};
    while (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT) != 0) {
      if (errno != EINTR) return true;  // not our child any more: nothing to wait for
    }
    return true;
  }
  // No pidfd: poll the child's state, briefly, until the deadline.
  while (true) {
    siginfo_t info{};
    info.si_pid = 0;
    if (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
      if (errno != EINTR) return true;
      continue;
    }
    if (info.si_pid != 0) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

int reap(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    // Reaped elsewhere (SIGCHLD ignored, or a waitpid(-1)): the status is lost; say "killed".
    if (errno != EINTR) return 128 + SIGKILL;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace ssf::apphost::spawn
