#pragma once
// A worker that answers in-process, on a thread of its own, as a real one does on its reader
// thread. Params tell it what to do: {"x":N} echoes x; {"fail":1} fails the request and exits
// like an application error; {"crash":1} exits with no word (like SIGKILL); {"sleep_ms":N}
// takes that long.

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "apphost/apphost.h"

namespace ssf::testing {

struct FakeWorkerStats {
  std::mutex mutex;
  std::vector<size_t> batch_sizes;
  std::atomic<int> started{0};
  std::atomic<int> stopped{0};
  std::atomic<int> watchdogs{0};
  std::atomic<bool> fail_startup{false};
  std::atomic<int> watchdog_code{0};
};

class FakeWorker : public apphost::Worker {
 public:
  FakeWorker(apphost::WorkerEvents events, FakeWorkerStats& stats, int pid)
      : events_(std::move(events)), stats_(stats), pid_(pid), thread_([this] { run(); }) {}
  ~FakeWorker() override {
    kill();
    thread_.join();
  }

  int pid() const override { return pid_; }
  Status send_request(uint64_t id, const std::vector<std::string>& params,
                      const std::vector<std::string>&) override {
    return push({Op::Request, id, params});
  }
  Status send_watchdog(uint64_t id) override { return push({Op::Watchdog, id, {}}); }
  void stop(std::chrono::milliseconds) override {
    (void)push({Op::Stop, 0, {}});
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return exited_; });
  }
  void kill() override {
    (void)push({Op::Kill, 0, {}});
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return exited_; });
  }

 private:
  enum class Op { Request, Watchdog, Stop, Kill };
  struct Command {
    Op op;
    uint64_t id;
    std::vector<std::string> params;
  };

  Status push(Command c) {
    std::lock_guard lock(mutex_);
    if (gone_) return Error(ResultCode::InternalError, "worker gone");
    commands_.push_back(std::move(c));
    cv_.notify_all();
    return {};
  }

  void exit(int code, std::string reason) {
    {
      std::lock_guard lock(mutex_);
      gone_ = true;
    }
    events_.exited(code, std::move(reason));
    std::lock_guard lock(mutex_);
    exited_ = true;
    cv_.notify_all();
  }

  void run() {
    if (stats_.fail_startup) {
      exit(255, "unmet requirement");
      return;
    }
    stats_.started++;
    events_.started();
    while (true) {
      Command c;
      {
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [&] { return !commands_.empty(); });
        c = std::move(commands_.front());
        commands_.pop_front();
      }
      if (c.op == Op::Kill) return exit(137, "");
      if (c.op == Op::Stop) {
        stats_.stopped++;
        return exit(0, "");
      }
      if (c.op == Op::Watchdog) {
        stats_.watchdogs++;
        int code = stats_.watchdog_code;
        events_.watchdog(c.id, code);
        if (code != 0) return exit(32, "watchdog failed");
        continue;
      }
      {
        std::lock_guard lock(stats_.mutex);
        stats_.batch_sizes.push_back(c.params.size());
      }
      std::vector<types::AppResult> results;
      for (const auto& p : c.params) {
        if (p.find("\"fail\"") != std::string::npos) {
          events_.request_failed(c.id, "division by zero");
          return exit(32, "division by zero");
        }
        if (p.find("\"crash\"") != std::string::npos) return exit(137, "");
        if (auto at = p.find("\"sleep_ms\":"); at != std::string::npos) {
          std::this_thread::sleep_for(std::chrono::milliseconds(std::stoi(p.substr(at + 11))));
        }
        types::AppResult r;
        r.outputs = config::Value::map({{"params", config::Value::string(p)}});
        results.push_back(std::move(r));
      }
      events_.result(c.id, std::move(results), 0.001);
    }
  }

  apphost::WorkerEvents events_;
  FakeWorkerStats& stats_;
  int pid_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Command> commands_;
  bool gone_ = false;
  bool exited_ = false;
  std::thread thread_;
};

inline dispatch::WorkerFactory fake_factory(FakeWorkerStats& stats) {
  return [&stats](int replica, apphost::WorkerEvents events)
             -> Result<std::unique_ptr<apphost::Worker>> {
    static std::atomic<int> next_pid{1000};
    (void)replica;
    return std::unique_ptr<apphost::Worker>(new FakeWorker(std::move(events), stats, next_pid++));
  };
}

}  // namespace ssf::testing
