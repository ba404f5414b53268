#pragma once
// apphost: application hosts. The only header of this module that others include.
//
// Every replica of an application runs in a worker process of its own, so that an application
// crash never takes the server down:
//   - Python apps: the interpreter (the app's venv's, else python3) runs templates/python's
//     `ssf._worker` (upstream's application interface, unchanged);
//   - native apps (`application.module: libapp.so`, include/ssf/app.h): gc-ssf itself, started
//     as `gc-ssf --ssf-native-worker`, loads the library.
// Server and worker talk over a socket pair with length-prefixed frames (protocol.h and
// templates/python/ssf/_protocol.py describe them). Several frames may be in flight to one
// worker: it queues them and serves them in order, so the round trip never limits throughput.
// Records the application logs arrive as frames and are written to ssf.log with the worker's pid.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "core/core.h"
#include "types/types.h"

namespace ssf::apphost {

// The directory holding the `ssf` Python package: $SSF_PYTHON_SHIM, else
// <gc-ssf's directory>/../share/gc-ssf/python (build tree, install and image alike).
// Errors: FrameworkResourceError (4) naming the places looked at.
Result<std::filesystem::path> find_shim_dir();

// The Python interpreter for an application: <cwd>/ssf-<id>-venv/bin/python when that venv
// exists, else system_python().
std::filesystem::path python_for(const config::Config& config);

// The interpreter outside any venv: $SSF_PYTHON, else python3 from PATH (a pyenv shim resolved to
// the interpreter it stands for, once per process).
std::filesystem::path system_python();

// Creates the app's venv (`python3 -m venv --system-site-packages`) and pip-installs
// dependencies.python into it, when the config has any; reuses an existing venv. No-op otherwise.
// Pip's output goes to ssf.log at debug level. Errors: InstallationError (10).
Status ensure_venv(const config::Config& config);

// Checks accelerators as upstream: ipus × instances (replicas × servers) against
// `gc-info --ipu-count` (0 when the tool is missing or prints no number). Apps with `ipus: 0`
// need no IPU tooling. On failure logs upstream's "Insufficient IPUs - needs to perform <step>
// step. Required N, available M." at error and returns UnmetRequirement (255) "IPUs count does
// not match application requirements.".
Status check_ipus(const config::Config& config, int instances, std::string_view step = "run");

struct WorkerSpec {
  enum class Mode { Build, Run };
  Mode mode = Mode::Run;
  int replica = 0;
  const config::Config* config = nullptr;    // must outlive the worker
  const config::Options* options = nullptr;  // must outlive the worker
  std::filesystem::path python;              // Python apps; empty: python_for(*config)
  std::filesystem::path shim_dir;            // Python apps; empty: find_shim_dir()
  // Native apps (a module ending in ".so"): started as `<self_exe> --ssf-native-worker`, whose
  // main must call native_worker_main(). Default: this process's own binary (gc-ssf); unit
  // tests, whose binary is not gc-ssf, name a host of their own.
  std::filesystem::path self_exe = "/proc/self/exe";
  // Native apps in run mode: the replica runs on a thread of this process instead of a worker
  // process (--in-process). Faster, but an application crash then takes the server down, and a
  // stuck request cannot be killed. The library's globals are shared by the replicas, and calls
  // run in the server's working directory. Ignored for Python apps and for build.
  bool in_process = false;
};

// What a worker reports. Called on the worker's reader thread, one at a time; `exited` is always
// the last call and is always made (after a crash too). Empty functions are skipped. A callback
// may call send_* and may destroy the Worker from `exited` (the destructor then does not wait);
// stop() called from a callback only asks the worker to stop.
struct WorkerEvents {
  std::function<void()> started;  // startup() succeeded: the replica is ready
  // One result per request of the batch, in order; `latency`: seconds spent in request().
  std::function<void(uint64_t id, std::vector<types::AppResult> results, double latency)> result;
  // request() raised, or returned what the contract forbids; the worker exits after this.
  std::function<void(uint64_t id, std::string message)> request_failed;
  std::function<void(uint64_t id, int code)> watchdog;  // the app's watchdog() result
  // The process ended: its exit status (128+N when killed by signal N) and, when it said why
  // before exiting, its reason (the "failed" message, or what broke the stream; empty after a
  // clean stop or a kill).
  std::function<void(int exit_code, std::string reason)> exited;
};

// One worker process (in a process group of its own, so that a terminal's Ctrl-C reaches the
// server only, which then drains). Thread-safe: send_* may be called from any thread.
class Worker {
 public:
  // Starts the process and sends it its init frame. Errors: InternalError (cannot start),
  // ApplicationModuleError (a native module that cannot be loaded).
  static Result<std::unique_ptr<Worker>> start(const WorkerSpec& spec, WorkerEvents events);
  virtual ~Worker() = default;  // kills the process if it still runs, and waits for `exited`

  virtual int pid() const = 0;
  // Sends one batch (1..max_batch_size requests). `params` and `meta` are JSON object texts.
  // Errors: InternalError when the worker has gone, or has not read its socket for 60 s (half a
  // frame cannot be taken back, so it is then killed).
  virtual Status send_request(uint64_t id, const std::vector<std::string>& params,
                              const std::vector<std::string>& meta) = 0;
  virtual Status send_watchdog(uint64_t id) = 0;
  // Asks the worker to call shutdown() and exit once the frames sent before are served; kills it
  // (and its process group) after `grace`. Blocks until it exited and `exited` was delivered.
  virtual void stop(std::chrono::milliseconds grace) = 0;
  // SIGKILL to the worker and its process group now (tests, and a request-duration watchdog
  // that found it stuck); `exited` follows with 137.
  virtual void kill() = 0;
};

// Session authentication's user check (upstream's server_authentication.py): a module file's
// authenticate_user(username, password), run by `python -m ssf._user_check` in a worker process
// of its own, so that an authentication module, like an application, can never take the server
// down. Checks are served one at a time, in order.
struct UserCheckSpec {
  std::filesystem::path module_file;  // absolute
  std::filesystem::path python;       // empty: system_python()
  std::filesystem::path shim_dir;     // empty: find_shim_dir()
  std::filesystem::path cwd;          // the worker's working directory; empty: the module's
  log::Level log_level = log::Level::Debug;  // the lowest level any sink shows
  std::chrono::milliseconds start_timeout{30000};  // to load the module
  std::chrono::milliseconds check_timeout{10000};  // per check; the worker is then restarted
};

class UserCheck {
 public:
  // The user id to log in as, nullopt to refuse, or an error when the check could not be made.
  using Done = std::function<void(Result<std::optional<std::string>>)>;

  // Starts the worker and waits until it has loaded the module. Errors:
  // ApplicationModuleError (35) when the file is missing, cannot be imported, defines no
  // authenticate_user, or does not load within start_timeout; InternalError when the worker
  // cannot be started.
  static Result<std::unique_ptr<UserCheck>> start(UserCheckSpec spec);
  // Fails the checks still queued, stops the worker, joins the thread.
  ~UserCheck();
  UserCheck(const UserCheck&) = delete;
  UserCheck& operator=(const UserCheck&) = delete;

  // Queues one check; `done` is called once, on the check's thread: with the user id, nullopt,
  // or InternalError when authenticate_user raised, the worker died (it is restarted for the
  // next check) or the check took longer than check_timeout. The password is sent to the
  // worker and nowhere else. Thread-safe.
  void check(std::string username, std::string password, Done done);

 private:
  struct State;
  explicit UserCheck(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// `gc-ssf build`'s application part: one worker in build mode. Returns build()'s result, or the
// worker's failure code (35 module error, 255 unmet requirement, 32 application error), or
// 128+N when it was killed by signal N. No deadline: builds may compile for hours.
// Errors: as Worker::start.
Result<int> run_build(const WorkerSpec& spec);

// The native worker process's main: `gc-ssf --ssf-native-worker` (the socket is $SSF_WORKER_FD).
// Exits the process with the worker's code (see native_worker.cpp); returns 2 only when not
// started by apphost.
int native_worker_main();

}  // namespace ssf::apphost
