// The native worker: `gc-ssf --ssf-native-worker` hosts one replica of a shared-library
// application (include/ssf/app.h) and speaks the same protocol as templates/python/ssf/_worker.py,
// with the same exit codes: build()'s result in build mode; 35 when the module cannot be loaded
// or created; 32 when startup, a request or the watchdog fails; 255 when startup reports an
// unmet requirement (a C function cannot raise SSFExceptionUnmetRequirement, so returning
// SSF_RESULT_UNMET_REQUIREMENT says it).
//
// The replica itself (NativeReplica below) speaks frames through a NativeChannel (native_host.h):
//   - in a worker process of its own, the socket to the server: as in the Python worker, a
//     thread reads frames into a queue while the main thread serves them one at a time, so that
//     the server's pipelined frames never fill the socket while a request runs;
//   - in the server's own process (--in-process, in_process_worker.cpp), the server's memory.
// Either way the application is called from one thread only.

#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <source_location>
#include <thread>

#include "apphost/apphost.h"
#include "apphost/native_host.h"
#include "apphost/protocol.h"
#include "ssf/app.h"

namespace ssf::apphost {
namespace {

using protocol::Frame;
using protocol::Json;

struct Api {
  int (*abi_version)(void) = nullptr;
  ssf_app* (*create)(const char*, size_t, const ssf_host*, char*, size_t) = nullptr;
  int (*build)(ssf_app*) = nullptr;
  int (*startup)(ssf_app*) = nullptr;
  int (*request)(ssf_app*, const char*, size_t, size_t, const ssf_results*) = nullptr;
  int (*watchdog)(ssf_app*) = nullptr;
  int (*shutdown)(ssf_app*) = nullptr;
  void (*destroy)(ssf_app*) = nullptr;
};

// What ssf_app_request writes through ssf_results.
struct Results {
  std::vector<std::optional<Json>> json;
  std::vector<std::map<std::string, std::string>> bytes;
  std::string error;
};

int set_json(void* context, size_t index, const char* json, size_t size) {
  auto& r = *static_cast<Results*>(context);
  if (index >= r.json.size() || (!json && size)) return 1;
  Json value = Json::parse(json, json + size, nullptr, false);
  if (!value.is_object()) return 1;
  r.json[index] = std::move(value);
  return 0;
}

int set_bytes(void* context, size_t index, const char* output_id, const void* data, size_t size) {
  auto& r = *static_cast<Results*>(context);
  if (index >= r.bytes.size() || !output_id || (!data && size)) return 1;
  r.bytes[index][output_id] = std::string(static_cast<const char*>(data), size);
  return 0;
}

void set_error(void* context, const char* message) {
  if (message) static_cast<Results*>(context)->error = message;
}

class NativeReplica {
 public:
  NativeReplica(NativeChannel& channel, bool own_process)
      : channel_(channel), own_process_(own_process) {}

  int run();

  // ssf_host::log, from any of the application's threads.
  static void host_log(void* context, int level, const char* message) {
    auto* self = static_cast<NativeReplica*>(context);
    self->log(level, message ? message : "", self->module_name_, 0);
  }

 private:
  // Writes the frames held back (in order) and this one in one write.
  void send(const Json& header, std::string_view blobs = {}) {
    std::lock_guard lock(send_mutex_);
    held_ += protocol::encode_message(header, blobs);
    channel_.write(held_);
    held_.clear();
  }
  // Keeps a frame until the next send(): the per-request debug record then travels with the
  // result, and the server's reader wakes once per request instead of twice.
  void hold(const Json& header) {
    std::lock_guard lock(send_mutex_);
    held_ += protocol::encode_message(header, {});
  }
  void log(int level, std::string message,
           std::source_location where = std::source_location::current()) {
    log(level, std::move(message), std::filesystem::path(where.file_name()).filename().string(),
        static_cast<int>(where.line()));
  }
  void log(int level, std::string message, const std::string& file, int line,
           bool held = false) {
    if (level < log_level_) return;
    Json frame = {
        {"op", "log"}, {"level", level}, {"msg", std::move(message)}, {"file", file}, {"line", line}};
    held ? hold(frame) : send(frame);
  }
  std::string prefix() const { return "[" + std::to_string(replica_) + "] "; }

  std::optional<Frame> next_frame() { return channel_.next_frame(); }
  int fail(int code, const std::string& message);
  std::optional<int> load(const Json& init);
  std::optional<int> request(const Frame& frame);
  std::optional<int> watchdog(const Frame& frame);
  // Runs an application call, turning a C++ exception that escaped it into a failure code.
  template <typename F>
  int call(const char* name, F&& f);

  NativeChannel& channel_;
  bool own_process_;  // false: a thread of the server, whose working directory is not ours
  std::mutex send_mutex_;
  std::string held_;  // GUARDED_BY(send_mutex_): encoded frames waiting for the next send()
  int log_level_ = SSF_LOG_DEBUG;
  int replica_ = 0;
  bool run_mode_ = true;
  std::string app_id_;
  std::string module_name_;
  std::filesystem::path file_dir_;
  void* handle_ = nullptr;
  Api api_;
  ssf_host host_{this, &NativeReplica::host_log};
  ssf_app* app_ = nullptr;
};

// The socket to the server, read by a thread of its own into a queue.
class SocketChannel final : public NativeChannel {
 public:
  explicit SocketChannel(int fd) : fd_(fd) {
    std::thread reader([this] { read_frames(); });
    reader.detach();  // it ends with the stream; exit() does not wait for it
  }

  std::optional<Frame> next_frame() override { return queue_.next(); }

  void write(std::string_view frames) override {
    (void)protocol::write_all(fd_, frames);  // the server is gone: we are exiting anyway
  }

 private:
  void read_frames() {
    protocol::FrameBuffer buffer;
    while (true) {
      auto frame = protocol::read_frame(fd_, buffer);
      if (!frame || !*frame) {
        queue_.end();
        return;
      }
      queue_.push(std::move(**frame));
    }
  }

  int fd_;
  FrameQueue queue_;
};

template <typename F>
int NativeReplica::call(const char* name, F&& f) {
  try {
    return f();
  } catch (...) {
    log(SSF_LOG_ERROR, std::string("Application `") + name + "` let a C++ exception escape");
    return SSF_RESULT_APPLICATION_ERROR;
  }
}

int NativeReplica::fail(int code, const std::string& message) {
  log(code == SSF_RESULT_UNMET_REQUIREMENT ? SSF_LOG_WARNING : SSF_LOG_ERROR, message);
  if (app_) {
    if (run_mode_) {
      log(SSF_LOG_INFO, "> " + prefix() + "Shutdown user application instance");
      call("shutdown", [&] { return api_.shutdown(app_); });
    }
    call("destroy", [&] { return api_.destroy(app_), 0; });
    app_ = nullptr;
  }
  send({{"op", "failed"}, {"code", code}, {"message", message}});
  return code;
}

// Loads the library and creates the instance; a failure code when that fails.
std::optional<int> NativeReplica::load(const Json& init) {
  const Json& app = init.at("application");
  std::string file = app.at("file").get<std::string>();
  handle_ = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle_) {
    const char* why = dlerror();
    return fail(SSF_RESULT_APPLICATION_MODULE_ERROR, "Could not load " + app_id_ +
                                                         " application module from " + file + ": " +
                                                         (why ? why : "unknown error"));
  }
  bool complete = true;
  auto resolve = [&](auto& fn, const char* name) {
    fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(handle_, name));
    if (!fn) {
      log(SSF_LOG_ERROR, std::string("Interface '") + name + "' missing or not callable");
      complete = false;
    }
  };
  resolve(api_.abi_version, "ssf_app_abi_version");
  resolve(api_.create, "ssf_app_create");
  resolve(api_.build, "ssf_app_build");
  resolve(api_.startup, "ssf_app_startup");
  resolve(api_.request, "ssf_app_request");
  resolve(api_.watchdog, "ssf_app_watchdog");
  resolve(api_.shutdown, "ssf_app_shutdown");
  resolve(api_.destroy, "ssf_app_destroy");
  if (!complete) {
    return fail(SSF_RESULT_APPLICATION_MODULE_ERROR, "Application module has missing interfaces");
  }
  int abi = api_.abi_version();
  if (abi != SSF_APP_ABI_VERSION) {
    return fail(SSF_RESULT_APPLICATION_MODULE_ERROR,
                file + " was built for application ABI version " + std::to_string(abi) +
                    "; this gc-ssf supports version " + std::to_string(SSF_APP_ABI_VERSION));
  }

  std::string config = protocol::dump(Json{{"config", init.value("config", Json::object())},
                                           {"args", init.value("args", Json::object())},
                                           {"application", app}});
  char error[1024] = "";
  call("create", [&] {
    app_ = api_.create(config.data(), config.size(), &host_, error, sizeof error);
    return 0;
  });
  if (!app_) {
    error[sizeof error - 1] = '\0';
    std::string why = *error ? std::string(": ") + error : std::string();
    return fail(SSF_RESULT_APPLICATION_MODULE_ERROR,
                "Could not create " + app_id_ + " application main interface from " + file + why);
  }
  return std::nullopt;
}

std::optional<int> NativeReplica::request(const Frame& frame) {
  uint64_t id = frame.header.at("id").get<uint64_t>();
  const Json& params = frame.header.at("params");
  Json meta = frame.header.at("meta");
  size_t count = params.size();
  Json batch = Json::array();
  for (size_t i = 0; i < count; ++i) {
    Json m = i < meta.size() ? meta[i] : Json::object();
    m["replica"] = replica_;
    batch.push_back({{"params", params[i]}, {"meta", std::move(m)}});
  }
  std::string text = protocol::dump(batch);
  if (log_level_ <= SSF_LOG_DEBUG) {
    auto where = std::source_location::current();
    log(SSF_LOG_DEBUG, prefix() + "Dispatcher issuing request with batch=" + text,
        std::filesystem::path(where.file_name()).filename().string(),
        static_cast<int>(where.line()), /*held=*/true);
  }

  Results results;
  results.json.resize(count);
  results.bytes.resize(count);
  ssf_results out{&results, &set_json, &set_bytes, &set_error};
  auto start = std::chrono::steady_clock::now();
  int rc =
      call("request", [&] { return api_.request(app_, text.data(), text.size(), count, &out); });
  double latency = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (rc != SSF_RESULT_OK) {
    std::string message = results.error.empty() ? prefix() + "Application `request` call failed (" +
                                                      std::to_string(rc) + ")."
                                                : results.error;
    send({{"op", "error"}, {"id", id}, {"message", message}});
    return fail(SSF_RESULT_APPLICATION_ERROR, message);
  }

  protocol::BlobArea blobs;
  Json list = Json::array();
  for (size_t i = 0; i < count; ++i) {
    // Missing results are empty, as upstream pads a short batch with {}.
    Json r = results.json[i] ? std::move(*results.json[i]) : Json::object();
    for (const auto& [output, bytes] : results.bytes[i]) r[output] = blobs.add(bytes);
    list.push_back(std::move(r));
  }
  send({{"op", "result"}, {"id", id}, {"results", std::move(list)}, {"latency", latency}},
       blobs.data());
  return std::nullopt;
}

std::optional<int> NativeReplica::watchdog(const Frame& frame) {
  uint64_t id = frame.header.at("id").get<uint64_t>();
  log(SSF_LOG_DEBUG, prefix() + "Dispatcher polling application replica watchdog");
  int code = call("watchdog", [&] { return api_.watchdog(app_); });
  send({{"op", "watchdog"}, {"id", id}, {"code", code}});
  if (code != SSF_RESULT_OK) {
    return fail(SSF_RESULT_APPLICATION_ERROR, prefix() + "Application `watchdog` call failed.");
  }
  return std::nullopt;
}

int NativeReplica::run() {
  auto first = next_frame();
  if (!first || first->op() != "init") return 0;  // the server went away before saying anything
  const Json& init = first->header;
  try {
    log_level_ = init.value("log_level", SSF_LOG_DEBUG);
    replica_ = init.value("replica", 0);
    run_mode_ = init.value("mode", std::string("run")) == "run";
    const Json& app = init.at("application");
    app_id_ = app.value("id", std::string("untitled"));
    file_dir_ = app.value("file_dir", std::string());
    // Every application call runs in the module's directory, as upstream's do. Once, here: the
    // process is the replica's alone, and a chdir per request was a system call per request.
    if (own_process_ && !file_dir_.empty() && chdir(file_dir_.c_str()) != 0) {
      log(SSF_LOG_WARNING, "Cannot change directory to " + file_dir_.string());
    }
    module_name_ = std::filesystem::path(app.value("file", std::string())).filename().string();
  } catch (const Json::exception& e) {
    return fail(SSF_RESULT_APPLICATION_MODULE_ERROR,
                std::string("Malformed init frame: ") + e.what());
  }
  if (own_process_) {
    log(SSF_LOG_INFO, "> " + prefix() + "Worker started for " + app_id_ + ", [" +
                          std::to_string(getppid()) + "->" + std::to_string(getpid()) + "]");
  } else {
    log(SSF_LOG_INFO, "> " + prefix() + "Replica started for " + app_id_ +
                          " on a thread of the server [" + std::to_string(getpid()) + "]");
  }
  log(SSF_LOG_INFO, "> " + prefix() + "Getting user application instance");
  if (auto code = load(init)) return *code;

  if (!run_mode_) {
    log(SSF_LOG_INFO, "> Build application");
    int code = call("build", [&] { return api_.build(app_); });
    call("shutdown", [&] { return api_.shutdown(app_); });
    call("destroy", [&] { return api_.destroy(app_), 0; });
    app_ = nullptr;
    send({{"op", "done"}, {"code", code}});
    return code;
  }

  log(SSF_LOG_INFO, "> " + prefix() + "Startup user application instance");
  int code = call("startup", [&] { return api_.startup(app_); });
  if (code == SSF_RESULT_UNMET_REQUIREMENT) {
    return fail(code, prefix() + "Application `startup` reported an unmet requirement.");
  }
  if (code != SSF_RESULT_OK) {
    return fail(SSF_RESULT_APPLICATION_ERROR, prefix() + "Application `startup` call failed.");
  }
  send({{"op", "started"}});

  while (auto frame = next_frame()) {
    std::string_view op = frame->op();
    if (op == "stop") break;
    std::optional<int> failed;
    try {
      if (op == "request") failed = request(*frame);
      if (op == "watchdog") failed = watchdog(*frame);
    } catch (const Json::exception& e) {
      failed = fail(SSF_RESULT_APPLICATION_ERROR, std::string("Malformed frame: ") + e.what());
    }
    if (failed) return *failed;
  }
  log(SSF_LOG_INFO, "> " + prefix() + "Shutdown user application instance");
  call("shutdown", [&] { return api_.shutdown(app_); });
  call("destroy", [&] { return api_.destroy(app_), 0; });
  app_ = nullptr;
  return SSF_RESULT_OK;
}

}  // namespace

bool FrameQueue::push(Frame frame) {
  std::lock_guard lock(mutex_);
  if (ended_) return false;
  frames_.push_back(std::move(frame));
  cv_.notify_one();
  return true;
}

void FrameQueue::end(bool drop_pending) {
  std::lock_guard lock(mutex_);
  ended_ = true;
  if (drop_pending) frames_.clear();
  cv_.notify_all();
}

std::optional<Frame> FrameQueue::next() {
  std::unique_lock lock(mutex_);
  cv_.wait(lock, [&] { return ended_ || !frames_.empty(); });
  if (frames_.empty()) return std::nullopt;
  Frame frame = std::move(frames_.front());
  frames_.pop_front();
  return frame;
}

int serve_native_app(NativeChannel& channel, bool own_process) {
  NativeReplica replica(channel, own_process);
  return replica.run();
}

int native_worker_main() {
  // The server stops its workers itself, after draining; a terminal's Ctrl-C is not for us.
  signal(SIGINT, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  const char* env = std::getenv("SSF_WORKER_FD");
  int fd = env ? std::atoi(env) : -1;
  if (fd < 0 || fcntl(fd, F_GETFD) < 0) {
    // No server to report to: this is someone running the flag by hand.
    static const char kUsage[] = "gc-ssf --ssf-native-worker: started by gc-ssf only\n";
    (void)!write(STDERR_FILENO, kUsage, sizeof kUsage - 1);
    return 2;
  }
  fcntl(fd, F_SETFD, FD_CLOEXEC);  // the application's own children must not hold our socket
  SocketChannel channel(fd);
  int code = serve_native_app(channel, /*own_process=*/true);
  // _exit: the reader thread may still be blocked in read(), and an application's static
  // destructors must not run after destroy(). Its buffered output is flushed first.
  fflush(nullptr);
  _exit(code & 0xff);
}

}  // namespace ssf::apphost
