#pragma once
// What a Worker object and the thread that delivers its events share about the worker's end,
// whichever kind of worker it is (a process: worker_process.cpp; a thread: in_process_worker.cpp).
// Internal to apphost. Held through a shared_ptr by both, so that the Worker may be destroyed
// from its own `exited` callback.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "apphost/apphost.h"

namespace ssf::apphost {

struct WorkerLife {
  WorkerEvents events;  // the events thread only
  std::string reason;   // the events thread only: why the worker ended, when it said

  mutable std::mutex mutex;
  std::condition_variable cv;
  bool finished = false;      // GUARDED_BY(mutex): `exited` has returned
  std::thread::id thread_id;  // GUARDED_BY(mutex): the events thread, once started

  // On the events thread, last: delivers `exited` (always the last event), then marks the worker
  // finished. The callback is moved out first: it may destroy the Worker.
  void end(int code) {
    auto exited = std::move(events.exited);
    events = {};
    if (exited) exited(code, std::move(reason));
    std::lock_guard lock(mutex);
    finished = true;
    cv.notify_all();
  }

  bool on_events_thread() const {
    std::lock_guard lock(mutex);
    return thread_id == std::this_thread::get_id();
  }

  // Waits until finished, at most `limit`; whether it finished.
  bool wait_finished(std::chrono::milliseconds limit) {
    std::unique_lock lock(mutex);
    return cv.wait_for(lock, limit, [&] { return finished; });
  }
  void wait_finished() {
    std::unique_lock lock(mutex);
    cv.wait(lock, [&] { return finished; });
  }
};

}  // namespace ssf::apphost
