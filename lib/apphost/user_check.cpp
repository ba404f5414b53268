// Implementation note: one thread owns the worker process and its socket, and serves the queued
// checks one at a time: send a "check" frame, then read frames (forwarding "log" ones) until the
// answer or the deadline. A worker that dies or overruns is killed and reaped there, and started
// again for the next check, so a misbehaving authentication module costs one failed login.
// templates/python/ssf/_user_check.py is the other side.

#include <poll.h>
#include <unistd.h>
#include <signal.h>

#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>

#include "apphost/apphost.h"
#include "apphost/frames.h"
#include "apphost/protocol.h"
#include "apphost/spawn.h"

namespace ssf::apphost {

namespace {

using protocol::Json;
using Clock = std::chrono::steady_clock;

struct Job {
  std::string username;
  std::string password;
  UserCheck::Done done;
};

Error module_error(const std::filesystem::path& file, std::string_view why) {
  return Error(ResultCode::ApplicationModuleError,
               "session authentication module " + file.string() + ": " + std::string(why));
}

}  // namespace

struct UserCheck::State {
  UserCheckSpec spec;
  std::vector<std::string> argv;
  std::vector<std::pair<std::string, std::string>> env;

  // The worker: only the serving thread touches these once start() has returned.
  spawn::Child child;
  protocol::FrameBuffer buffer;
  uint64_t next_id = 1;

  std::mutex mutex;
  std::condition_variable cv;
  std::deque<Job> jobs;   // GUARDED_BY(mutex)
  bool stopping = false;  // GUARDED_BY(mutex)
  std::thread thread;

  ~State() { stop_worker(false); }

  // Starts the worker and waits for "started". Errors: as UserCheck::start.
  Status start_worker() {
    auto child_or = spawn::start(argv, spec.cwd, env);
    if (!child_or) return std::move(child_or).error();
    child = *child_or;
    buffer = protocol::FrameBuffer();
    log::debug("Started the session authentication worker ({}) for {}", child.pid,
               spec.module_file.string());
    Json init = {{"op", "init"},
                 {"module", spec.module_file.string()},
                 {"log_level", static_cast<int>(spec.log_level)}};
    if (auto st = protocol::write_all(child.fd, protocol::encode_message(init)); !st) {
      stop_worker(true);
      return module_error(spec.module_file, "the worker did not start: " + st.error().message());
    }
    auto frame = read_until(Clock::now() + spec.start_timeout,
                            [](const protocol::Frame& f) {
                              return f.op() == "started" || f.op() == "failed";
                            });
    if (!frame) {
      stop_worker(true);
      return module_error(spec.module_file, frame.error().message());
    }
    if (frame->op() == "failed") {
      std::string why = frame->header.value("message", std::string("failed to load"));
      stop_worker(true);
      return module_error(spec.module_file, why);
    }
    return {};
  }

  // Reads frames until one that `wanted` accepts; log frames are written to the log. Errors:
  // InternalError when the worker closed its socket or the deadline passed.
  template <typename Pred>
  Result<protocol::Frame> read_until(Clock::time_point deadline, Pred wanted) {
    while (true) {
      auto body = buffer.next_body();
      if (!body) return std::move(body).error();
      if (*body) {
        auto frame = protocol::decode_body(std::move(**body));
        if (!frame) return std::move(frame).error();
        if (frame->op() == "log") {
          const Json& h = frame->header;
          log::write(log::Record{frames::level_from_python(h.value("level", int64_t{20})),
                                 h.value("msg", std::string()), h.value("file", std::string()),
                                 static_cast<int>(h.value("line", int64_t{0})),
                                 static_cast<int>(child.pid)});
          continue;
        }
        if (wanted(*frame)) return std::move(*frame);
        continue;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) return Error(ResultCode::InternalError, "no answer in time");
      pollfd fd{child.fd, POLLIN, 0};
      int n = poll(&fd, 1, static_cast<int>(left.count()));
      if (n < 0 && errno != EINTR) {
        return Error(ResultCode::InternalError, std::string("poll: ") + strerror(errno));
      }
      if (n <= 0) continue;
      long got = buffer.fill(child.fd, true);
      if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        return Error(ResultCode::InternalError, "the worker exited");
      }
    }
  }

  // Ends the worker: politely (a stop frame and a short wait) or at once.
  void stop_worker(bool kill_now) {
    if (child.pid <= 0) return;
    if (!kill_now) {
      (void)protocol::write_all(child.fd, protocol::encode_message(Json{{"op", "stop"}}));
      if (!spawn::wait_exit(child.pid, child.pidfd, std::chrono::seconds(2))) kill_now = true;
    }
    if (kill_now) {
      ::kill(-child.pid, SIGKILL);
      spawn::wait_exit(child.pid, child.pidfd, std::nullopt);
    }
    int code = spawn::reap(child.pid);
    log::debug("The session authentication worker ({}) exited with {}", child.pid, code);
    if (child.fd >= 0) close(child.fd);
    if (child.pidfd >= 0) close(child.pidfd);
    child = spawn::Child();
  }

  Result<std::optional<std::string>> serve(const Job& job) {
    if (child.pid <= 0) SSF_TRY(start_worker());
    uint64_t id = next_id++;
    Json frame = {{"op", "check"}, {"id", id}, {"username", job.username},
                  {"password", job.password}};
    if (auto st = protocol::write_all(child.fd, protocol::encode_message(frame)); !st) {
      stop_worker(true);
      return Error(ResultCode::InternalError, "the authentication worker has gone");
    }
    auto answer = read_until(Clock::now() + spec.check_timeout, [id](const protocol::Frame& f) {
      return (f.op() == "checked" || f.op() == "error") && f.header.value("id", uint64_t{0}) == id;
    });
    if (!answer) {
      stop_worker(true);  // overran or died: the next check gets a fresh worker
      return Error(ResultCode::InternalError, "authenticate_user: " + answer.error().message());
    }
    if (answer->op() == "error") {
      return Error(ResultCode::InternalError,
                   "authenticate_user raised " + answer->header.value("message", std::string()));
    }
    const Json& user = answer->header["user_id"];
    if (user.is_string()) return std::optional<std::string>(user.get<std::string>());
    return std::optional<std::string>();
  }

  void run() {
    while (true) {
      Job job;
      {
        std::unique_lock lock(mutex);
        cv.wait(lock, [&] { return stopping || !jobs.empty(); });
        if (stopping) break;
        job = std::move(jobs.front());
        jobs.pop_front();
      }
      auto result = serve(job);
      job.done(std::move(result));
    }
    std::deque<Job> left;
    {
      std::lock_guard lock(mutex);
      left.swap(jobs);
    }
    for (auto& job : left) job.done(Error(ResultCode::InternalError, "the server is stopping"));
  }
};

UserCheck::UserCheck(std::unique_ptr<State> state) : state_(std::move(state)) {}

Result<std::unique_ptr<UserCheck>> UserCheck::start(UserCheckSpec spec) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(spec.module_file, ec)) {
    return module_error(spec.module_file, "no such file");
  }
  auto state = std::make_unique<State>();
  if (spec.shim_dir.empty()) {
    auto found = find_shim_dir();
    if (!found) return std::move(found).error();
    spec.shim_dir = *found;
  }
  if (spec.python.empty()) spec.python = system_python();
  if (spec.cwd.empty()) spec.cwd = spec.module_file.parent_path();
  state->argv = {spec.python.string(), "-m", "ssf._user_check"};
  std::string pythonpath = spec.shim_dir.string();
  if (const char* rest = std::getenv("PYTHONPATH"); rest && *rest) pythonpath += ":" + std::string(rest);
  state->env = {{"SSF_WORKER_FD", std::to_string(spawn::kWorkerFd)},
                {"PYTHONPATH", pythonpath},
                {"PYTHONUNBUFFERED", "1"}};
  state->spec = std::move(spec);
  SSF_TRY(state->start_worker());
  State* s = state.get();
  s->thread = std::thread([s] { s->run(); });
  return std::unique_ptr<UserCheck>(new UserCheck(std::move(state)));
}

UserCheck::~UserCheck() {
  {
    std::lock_guard lock(state_->mutex);
    state_->stopping = true;
  }
  state_->cv.notify_all();
  if (state_->thread.joinable()) state_->thread.join();
}

void UserCheck::check(std::string username, std::string password, Done done) {
  {
    std::lock_guard lock(state_->mutex);
    if (!state_->stopping) {
      state_->jobs.push_back(Job{std::move(username), std::move(password), std::move(done)});
      state_->cv.notify_all();
      return;
    }
  }
  done(Error(ResultCode::InternalError, "the server is stopping"));
}

}  // namespace ssf::apphost
