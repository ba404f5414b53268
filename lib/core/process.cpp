#include "core/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

extern char** environ;

namespace ssf {
namespace {

std::vector<std::string> merged_environment(const ProcessOptions& options) {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string_view kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string_view::npos) env[std::string(kv.substr(0, eq))] = kv.substr(eq + 1);
  }
  for (const auto& [k, v] : options.env) env[k] = v;
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

// While it lives, a write to a pipe whose reader has gone fails with EPIPE instead of killing
// the process with SIGPIPE (a library must not install signal handlers). Blocks SIGPIPE in this
// thread only; a SIGPIPE our writes raised is taken back before the old mask returns.
class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
  }
  ~SigpipeGuard() {
    if (raised_ && !was_pending_) {
      timespec zero{};
      while (sigtimedwait(&pipe_, nullptr, &zero) < 0 && errno == EINTR) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;
  void raised() { raised_ = true; }

 private:
  sigset_t pipe_;
  sigset_t old_;
  bool was_pending_ = false;
  bool raised_ = false;
};

// Feeds stdin and drains the output pipe together, so that neither side can block the other:
// `in_fd` is non-blocking, so a write never waits for a child that is itself waiting for us to
// read its output.
void pump(int in_fd, const std::string* input, int out_fd, std::string* output) {
  size_t written = 0;
  if (in_fd >= 0 && (!input || input->empty())) {
    close(in_fd);
    in_fd = -1;
  }
  SigpipeGuard sigpipe;
  while (in_fd >= 0 || out_fd >= 0) {
    pollfd fds[2];
    int n = 0;
    if (in_fd >= 0) fds[n++] = {in_fd, POLLOUT, 0};
    if (out_fd >= 0) fds[n++] = {out_fd, POLLIN, 0};
    if (poll(fds, n, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < n; ++i) {
      if (!fds[i].revents) continue;
      if (fds[i].fd == in_fd) {
        ssize_t w = ::write(in_fd, input->data() + written, input->size() - written);
        if (w > 0) written += static_cast<size_t>(w);
        if (w < 0 && errno == EPIPE) sigpipe.raised();
        if (w < 0 && errno != EINTR && errno != EAGAIN) written = input->size();  // reader gone
        if (written == input->size()) {
          close(in_fd);
          in_fd = -1;
        }
      } else {
        char buf[65536];
        ssize_t r = read(out_fd, buf, sizeof buf);
        if (r > 0) {
          output->append(buf, static_cast<size_t>(r));
        } else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
          close(out_fd);
          out_fd = -1;
        }
      }
    }
  }
  if (in_fd >= 0) close(in_fd);  // poll failed
  if (out_fd >= 0) close(out_fd);
}

}  // namespace

Result<ProcessOutput> run_process(const std::vector<std::string>& argv,
                                  const ProcessOptions& options) {
  if (argv.empty()) return Error(ResultCode::InternalError, "run_process: empty command");
  int in_pipe[2] = {-1, -1};
  int out_pipe[2] = {-1, -1};
  if (options.stdin_data && pipe2(in_pipe, O_CLOEXEC) != 0) {
    return Error(ResultCode::InternalError, std::string("pipe: ") + strerror(errno));
  }
  if (options.capture_output && pipe2(out_pipe, O_CLOEXEC) != 0) {
    int err = errno;
    if (in_pipe[0] >= 0) close(in_pipe[0]);
    if (in_pipe[1] >= 0) close(in_pipe[1]);
    return Error(ResultCode::InternalError, std::string("pipe: ") + strerror(err));
  }
  // Only our end: the child's end of the pipe is another open file description, left blocking.
  if (in_pipe[1] >= 0) fcntl(in_pipe[1], F_SETFL, fcntl(in_pipe[1], F_GETFL) | O_NONBLOCK);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (options.stdin_data) {
    posix_spawn_file_actions_adddup2(&actions, in_pipe[0], STDIN_FILENO);
  } else {
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  }
  if (options.capture_output) {
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDERR_FILENO);
  }
  if (!options.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, options.cwd.c_str());

  std::vector<std::string> args = argv;
  std::vector<std::string> env = merged_environment(options);
  auto c_args = c_strings(args);
  auto c_env = c_strings(env);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, argv[0].c_str(), &actions, nullptr, c_args.data(), c_env.data());
  posix_spawn_file_actions_destroy(&actions);
  if (in_pipe[0] >= 0) close(in_pipe[0]);
  if (out_pipe[1] >= 0) close(out_pipe[1]);
  if (rc != 0) {
    if (in_pipe[1] >= 0) close(in_pipe[1]);
    if (out_pipe[0] >= 0) close(out_pipe[0]);
    return Error(ResultCode::InternalError, "cannot run " + argv[0] + ": " + strerror(rc));
  }

  ProcessOutput result;
  pump(in_pipe[1], options.stdin_data ? &*options.stdin_data : nullptr, out_pipe[0], &result.out);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

}  // namespace ssf
