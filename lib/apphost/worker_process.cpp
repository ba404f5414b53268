// Implementation note: one worker is a child process, a socket pair, and a reader thread.
//
// The reader thread owns the read side: it polls the socket and (when the kernel has pidfds) the
// process itself, turns frames into WorkerEvents, and when the stream ends or the process dies it
// drains what is left, reaps the process and calls `exited` last. Watching the pidfd too means a
// worker that dies while a grandchild still holds its socket is noticed at once.
//
// State the thread and the Worker object share lives in a Shared held by both, so that the
// Worker may be destroyed from its own `exited` callback. The pid is signalled only under
// `mutex` while not yet reaped, so a recycled pid is never hit.

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>

#include "apphost/apphost.h"
#include "apphost/frames.h"
#include "apphost/native_host.h"
#include "apphost/protocol.h"
#include "apphost/spawn.h"
#include "apphost/worker_life.h"

namespace ssf::apphost {
namespace {

using protocol::Frame;
using protocol::Json;

// After the stream ends, how long the process may take to finish exiting on its own.
constexpr std::chrono::seconds kExitGrace{10};

// The reader thread is the events thread; `reason` is from a "failed" frame, or what went wrong
// with the stream.
struct Shared : WorkerLife {
  // Constant after construction.
  pid_t pid = -1;
  int fd = -1;
  int pidfd = -1;
  std::string name;  // "<app id>:<replica>" for log lines

  std::mutex send_mutex;
  bool send_broken = false;  // GUARDED_BY(send_mutex): half a frame went out

  bool reaped = false;  // GUARDED_BY(mutex): the pid is no longer ours to signal

  ~Shared() {
    if (fd >= 0) close(fd);
    if (pidfd >= 0) close(pidfd);
  }

  void kill_group() {
    std::lock_guard lock(mutex);
    if (!reaped) ::kill(-pid, SIGKILL);
  }
};

// Handles every whole frame buffered. Errors: a broken stream.
Status dispatch_buffered(Shared& s, protocol::FrameBuffer& buffer) {
  while (true) {
    auto body = buffer.next_body();
    if (!body) return std::move(body).error();
    if (!*body) return {};
    auto frame = protocol::decode_body(std::move(**body));
    if (!frame) return std::move(frame).error();
    SSF_TRY(frames::deliver(*frame, s.events, s.reason, s.name, static_cast<int>(s.pid)));
  }
}

void reader_main(std::shared_ptr<Shared> s) {
  protocol::FrameBuffer buffer;
  bool open = true;
  while (open) {
    pollfd fds[2] = {{s->fd, POLLIN, 0}, {s->pidfd, POLLIN, 0}};
    int n = poll(fds, s->pidfd >= 0 ? 2 : 1, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      s->reason = std::string("poll: ") + strerror(errno);
      break;
    }
    bool process_gone = s->pidfd >= 0 && (fds[1].revents & POLLIN);
    if (fds[0].revents) {
      long got = buffer.fill(s->fd, true);
      if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) open = false;
    }
    // Once the process is gone only what is already in the socket can still arrive.
    while (process_gone && open) {
      long got = buffer.fill(s->fd, true);
      if (got <= 0) open = false;
    }
    if (auto st = dispatch_buffered(*s, buffer); !st) {
      log::error("{} ({}): {}", s->name, s->pid, st.error().message());
      s->reason = st.error().message();
      s->kill_group();
      break;
    }
  }

  if (!spawn::wait_exit(s->pid, s->pidfd, kExitGrace)) {
    log::warning("{} ({}) closed its socket but did not exit; killing it", s->name, s->pid);
    s->kill_group();
    spawn::wait_exit(s->pid, s->pidfd, std::nullopt);
  }
  int code;
  {
    std::lock_guard lock(s->mutex);
    code = spawn::reap(s->pid);
    s->reaped = true;
  }
  log::debug("{} ({}) exited with {}", s->name, s->pid, code);
  s->end(code);
}

class ProcessWorker final : public Worker {
 public:
  explicit ProcessWorker(std::shared_ptr<Shared> shared) : s_(std::move(shared)) {
    std::lock_guard lock(s_->mutex);
    reader_ = std::thread(reader_main, s_);
    s_->thread_id = reader_.get_id();
  }
  ProcessWorker(const ProcessWorker&) = delete;
  ProcessWorker& operator=(const ProcessWorker&) = delete;

  ~ProcessWorker() override {
    s_->kill_group();
    if (s_->on_events_thread()) {
      reader_.detach();  // destroyed from a callback: the thread ends on its own
    } else {
      reader_.join();
    }
  }

  int pid() const override { return static_cast<int>(s_->pid); }

  Status send_request(uint64_t id, const std::vector<std::string>& params,
                      const std::vector<std::string>& meta) override {
    return send(frames::request_frame(id, params, meta));
  }
  Status send_watchdog(uint64_t id) override { return send(frames::watchdog_frame(id)); }

  Status send(std::string_view frame) {
    {
      std::lock_guard lock(s_->mutex);
      if (s_->reaped) return gone();
    }
    std::lock_guard lock(s_->send_mutex);
    if (s_->send_broken) return gone();
    auto st = protocol::write_all(s_->fd, frame);
    if (!st) {
      // Whatever was written of the frame cannot be taken back: the stream is unusable.
      s_->send_broken = true;
      log::error("{} ({}): {}", s_->name, s_->pid, st.error().message());
      s_->kill_group();
      return Error(ResultCode::InternalError,
                   "worker " + std::to_string(s_->pid) + ": " + st.error().message());
    }
    return {};
  }

  void stop(std::chrono::milliseconds grace) override {
    (void)send(frames::stop_frame());
    if (s_->on_events_thread()) return;
    if (!s_->wait_finished(grace)) {
      {
        std::lock_guard lock(s_->mutex);
        if (!s_->reaped) {
          log::warning("{} ({}) did not stop within {} ms; killing it", s_->name, s_->pid,
                       grace.count());
          ::kill(-s_->pid, SIGKILL);
        }
      }
      s_->wait_finished();
    }
  }

  void kill() override { s_->kill_group(); }

 private:
  Error gone() const {
    return Error(ResultCode::InternalError,
                 "worker " + std::to_string(s_->pid) + " (" + s_->name + ") has exited");
  }

  std::shared_ptr<Shared> s_;
  std::thread reader_;
};

std::string path_list(const std::filesystem::path& first, const char* rest) {
  std::string out = first.string();
  if (rest && *rest) out += std::string(":") + rest;
  return out;
}

}  // namespace

Result<std::unique_ptr<Worker>> Worker::start(const WorkerSpec& spec, WorkerEvents events) {
  if (!spec.config) return Error(ResultCode::InternalError, "Worker::start: no config");
  const auto& app = spec.config->application;
  std::vector<std::string> argv;
  std::vector<std::pair<std::string, std::string>> env = {
      {"SSF_WORKER_FD", std::to_string(spawn::kWorkerFd)}};
  bool native = ends_with(app.module.string(), ".so");
  if (native) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(app.module, ec)) {
      return Error(ResultCode::ApplicationModuleError, "Could not load " + app.id +
                                                           " application module from " +
                                                           app.module.string() + ": no such file");
    }
    if (spec.in_process && spec.mode == WorkerSpec::Mode::Run) {
      return start_in_process_worker(spec, std::move(events));
    }
    argv = {spec.self_exe.string(), "--ssf-native-worker"};
  } else {
    std::filesystem::path shim = spec.shim_dir;
    if (shim.empty()) {
      auto found = find_shim_dir();
      if (!found) return std::move(found).error();
      shim = *found;
    }
    std::filesystem::path python = spec.python.empty() ? python_for(*spec.config) : spec.python;
    argv = {python.string(), "-m", "ssf._worker"};
    env.emplace_back("PYTHONPATH", path_list(shim, std::getenv("PYTHONPATH")));
    env.emplace_back("PYTHONUNBUFFERED", "1");
  }

  auto child = spawn::start(argv, app.file_dir, env);
  if (!child) return std::move(child).error();
  auto shared = std::make_shared<Shared>();
  shared->pid = child->pid;
  shared->fd = child->fd;
  shared->pidfd = child->pidfd;
  shared->name = app.id + ":" + std::to_string(spec.replica);
  shared->events = std::move(events);
  log::debug("Started worker {} ({}) for {}: {}", shared->name, shared->pid,
             spec.mode == WorkerSpec::Mode::Build ? "build" : "run", join(argv, " "));

  auto worker = std::make_unique<ProcessWorker>(shared);
  // A worker that died at once reports it through `exited`; a failed send here says no more.
  (void)worker->send(protocol::encode_frame(frames::init_header(spec)));
  return std::unique_ptr<Worker>(std::move(worker));
}

Result<int> run_build(const WorkerSpec& spec) {
  struct Outcome {
    std::mutex mutex;
    std::condition_variable cv;
    bool done = false;
    int code = 0;
  };
  auto outcome = std::make_shared<Outcome>();
  WorkerSpec build = spec;
  build.mode = WorkerSpec::Mode::Build;
  WorkerEvents events;
  events.exited = [outcome](int code, std::string reason) {
    if (code != 0 && !reason.empty()) log::debug("Build worker failed: {}", reason);
    std::lock_guard lock(outcome->mutex);
    outcome->done = true;
    outcome->code = code;
    outcome->cv.notify_all();
  };
  auto worker = Worker::start(build, std::move(events));
  if (!worker) return std::move(worker).error();
  std::unique_lock lock(outcome->mutex);
  outcome->cv.wait(lock, [&] { return outcome->done; });
  return outcome->code;
}

}  // namespace ssf::apphost
