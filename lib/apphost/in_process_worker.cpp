// A native replica on a thread of the server (WorkerSpec::in_process).
//
// The replica is the same code as in a worker process (native_worker.cpp, serve_native_app); only
// its channel differs: frames cross in memory instead of through a socket and a reader thread.
// Per request that saves the socket's system calls on both sides and two thread hand-offs
// (worker process, reader thread), which on a small machine is most of a fast app's cost.
//
// What it gives up: an application crash takes the server down, and kill() cannot stop a thread
// (a stuck request stays stuck). Hence opt-in, and for native applications only.

#include <unistd.h>

#include <thread>

#include "apphost/frames.h"
#include "apphost/native_host.h"
#include "apphost/worker_life.h"

namespace ssf::apphost {
namespace {

using protocol::Frame;

// The replica's thread is the events thread (WorkerLife).
struct State final : WorkerLife, NativeChannel {
  std::string name;  // "<app id>:<replica>"
  int pid = static_cast<int>(::getpid());  // for log records; getpid(2) is a system call
  protocol::FrameBuffer from_replica;  // the replica's thread only
  FrameQueue to_replica;

  std::optional<Frame> next_frame() override { return to_replica.next(); }

  // The replica's frames, delivered as the reader thread of a worker process would.
  void write(std::string_view frames) override {
    from_replica.append(frames);
    while (true) {
      auto body = from_replica.next_body();
      if (!body || !*body) return;
      auto frame = protocol::decode_body(std::move(**body));
      if (!frame) return;
      if (auto st = frames::deliver(*frame, events, reason, name, pid); !st) {
        log::error("{}: {}", name, st.error().message());
      }
    }
  }

  // Queues one encoded frame (length prefix included) for the replica.
  Status push(std::string_view encoded) {
    auto frame = protocol::decode_body(std::string(encoded.substr(4)));
    if (!frame) return std::move(frame).error();
    if (!to_replica.push(std::move(*frame))) {
      return Error(ResultCode::InternalError, "in-process replica " + name + " has stopped");
    }
    return {};
  }
};

void replica_main(std::shared_ptr<State> s) {
  int code = serve_native_app(*s, /*own_process=*/false);
  // Frames sent after the replica returned are refused from now on, as a dead worker's are.
  s->to_replica.end(/*drop_pending=*/true);
  log::debug("{} (in-process) ended with {}", s->name, code);
  s->end(code);
}

class InProcessWorker final : public Worker {
 public:
  explicit InProcessWorker(std::shared_ptr<State> state) : s_(std::move(state)) {
    std::lock_guard lock(s_->mutex);
    thread_ = std::thread(replica_main, s_);
    s_->thread_id = thread_.get_id();
  }
  InProcessWorker(const InProcessWorker&) = delete;
  InProcessWorker& operator=(const InProcessWorker&) = delete;

  ~InProcessWorker() override {
    if (s_->on_events_thread()) {
      thread_.detach();  // destroyed from a callback: the thread ends on its own
      return;
    }
    (void)s_->push(frames::stop_frame());
    thread_.join();
  }

  int pid() const override { return s_->pid; }

  Status send(std::string_view frame) { return s_->push(frame); }
  Status send_request(uint64_t id, const std::vector<std::string>& params,
                      const std::vector<std::string>& meta) override {
    return send(frames::request_frame(id, params, meta));
  }
  Status send_watchdog(uint64_t id) override { return send(frames::watchdog_frame(id)); }

  void stop(std::chrono::milliseconds grace) override {
    (void)send(frames::stop_frame());
    if (s_->on_events_thread()) return;
    if (!s_->wait_finished(grace)) {
      log::warning("{} (in-process) did not stop within {} ms; a thread cannot be killed, waiting",
                   s_->name, grace.count());
      s_->wait_finished();
    }
  }

  void kill() override {
    log::warning("{} runs in the server's process (--in-process): it cannot be killed",
                 s_->name);
  }

 private:
  std::shared_ptr<State> s_;
  std::thread thread_;
};

}  // namespace

Result<std::unique_ptr<Worker>> start_in_process_worker(const WorkerSpec& spec,
                                                        WorkerEvents events) {
  auto state = std::make_shared<State>();
  state->name = spec.config->application.id + ":" + std::to_string(spec.replica);
  state->events = std::move(events);
  // The init frame first, so that the replica's first read finds it.
  SSF_TRY(state->push(protocol::encode_frame(frames::init_header(spec))));
  log::debug("Started in-process replica {}", state->name);
  return std::unique_ptr<Worker>(std::make_unique<InProcessWorker>(std::move(state)));
}

}  // namespace ssf::apphost
