#pragma once
// The native application host (native_worker.cpp), internal to apphost: one replica of a
// shared-library application (include/ssf/app.h) served over the worker protocol (frames.h),
// wherever its frames travel.

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>

#include "apphost/apphost.h"
#include "apphost/protocol.h"

namespace ssf::apphost {

// Where a native replica's frames come from and go to.
class NativeChannel {
 public:
  virtual ~NativeChannel() = default;
  // The next frame from the server, waiting for it; nullopt once the stream has ended (and on
  // every call after that).
  virtual std::optional<protocol::Frame> next_frame() = 0;
  // Whole encoded frames for the server, in order. Called from one thread at a time.
  virtual void write(std::string_view frames) = 0;
};

// Frames waiting for a replica, in order, until the stream ends: a blocking queue whose end is
// sticky. Thread-safe.
class FrameQueue {
 public:
  // Queues `frame`; false (and the frame dropped) once the queue has ended.
  bool push(protocol::Frame frame);
  // Ends the stream; `drop_pending`: frames not yet taken are dropped too.
  void end(bool drop_pending = false);
  // The next frame, waiting for it; nullopt once ended and drained (and on every call after).
  std::optional<protocol::Frame> next();

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<protocol::Frame> frames_;  // GUARDED_BY(mutex_)
  bool ended_ = false;                  // GUARDED_BY(mutex_)
};

// Serves the replica until a stop frame or the stream's end; returns its exit code, as a worker
// process's (0, 32, 35, 255, or build()'s result). `own_process`: the replica has the process to
// itself (it then works in the module's directory); false for a thread of the server.
int serve_native_app(NativeChannel& channel, bool own_process);

// A native replica on a thread of this process (WorkerSpec::in_process): the Worker interface
// as a worker process gives it, minus the isolation (kill() cannot stop a thread).
Result<std::unique_ptr<Worker>> start_in_process_worker(const WorkerSpec& spec,
                                                        WorkerEvents events);

}  // namespace ssf::apphost
