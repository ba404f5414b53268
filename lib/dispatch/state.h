#pragma once
// Private to dispatch: the dispatcher's shared state. Implementation note:
//   - one mutex guards everything below; completions (`done` callbacks) are collected under it
//     and called after it is released, so that a callback may submit again;
//   - worker events arrive on each worker's reader thread; they only update state and wake the
//     dispatcher thread, which does everything that blocks (starting, stopping and destroying
//     workers), so that a worker is never destroyed from inside its own event;
//   - each replica's worker has a generation: events of a worker that has been replaced are
//     ignored.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "dispatch/dispatch.h"

namespace ssf::dispatch {

using Clock = std::chrono::steady_clock;

struct Pending {
  Request request;
  std::function<void(Outcome)> done;
  Clock::time_point queued_at;
};

struct Replica {
  std::unique_ptr<apphost::Worker> worker;  // GUARDED_BY(mutex) while alive
  uint64_t generation = 0;
  int pid = 0;
  bool running = false;        // a worker process exists (starting or ready)
  bool ready = false;          // startup() succeeded
  bool failed_request = false; // the current worker reported an application failure
  bool retiring = false;       // asked to stop by the duration watchdog
  int failures = 0;            // consecutive application failures (upstream's failure_count)
  std::map<uint64_t, std::vector<Pending>> in_flight;  // batch id → its requests, oldest first
  Clock::time_point last_activity;
  bool watchdog_pending = false;
  std::deque<double> durations;  // the last request durations, for the duration watchdog
  // Workers that exited, destroyed by the dispatcher thread outside the lock: destroying one joins
  // its reader thread, which may itself be waiting for the lock. Appended to, never overwritten.
  std::vector<std::unique_ptr<apphost::Worker>> dead;
};

struct Dispatcher::State {
  Settings settings;
  WorkerFactory factory;
  std::function<void(int)> on_error;

  mutable std::mutex mutex;
  std::condition_variable wake;
  std::deque<Pending> queue;
  std::vector<Replica> replicas;
  uint64_t next_id = 1;
  size_t next_replica = 0;  // where the round-robin search for a free replica starts
  bool initial_start_done = false;  // every replica ready, or startup failed
  bool startup_failed = false;
  bool max_restart_reached = false;
  bool stopping = false;   // refuse new requests, drain
  bool quit = false;       // the dispatcher thread ends
  std::vector<int> errors; // recorded failure codes (upstream's result file)
  std::vector<int> startup_codes;
  std::thread thread;
  // When the thread will look at the queue next on its own: the time it sleeps until, or min()
  // while it is awake (dispatch_inline wakes it only for something due sooner).
  Clock::time_point thread_wakes_at = Clock::time_point::min();
  std::vector<std::thread> retirements;  // duration-watchdog stops in progress

  // Completions to run once the mutex is released.
  std::vector<std::pair<std::function<void(Outcome)>, Outcome>> completions;

  void complete(Pending& pending, Outcome outcome) {
    completions.emplace_back(std::move(pending.done), std::move(outcome));
  }
  void run_completions(std::unique_lock<std::mutex>& lock);

  // Dispatcher thread.
  void loop();
  void start_replica(std::unique_lock<std::mutex>& lock, size_t index);
  void send_batches(Clock::time_point now, Clock::time_point& next_wake);
  // Any thread, under the mutex: sends what can go now (a submitter's or a reader's thread), so
  // that a request does not wait for the dispatcher thread to wake up; the thread is woken only
  // for what remains (a batch still forming, no free replica). Two thread hand-offs fewer per
  // request: most of the serving cost on a small machine is such wake-ups.
  void dispatch_inline();
  void poll_watchdogs(Clock::time_point now, Clock::time_point& next_wake);
  void expire(Clock::time_point now, Clock::time_point& next_wake);
  void record_error(int code);

  // Worker events (reader threads).
  apphost::WorkerEvents events_for(size_t index, uint64_t generation);
  void on_started(size_t index, uint64_t generation);
  void on_result(size_t index, uint64_t generation, uint64_t id,
                 std::vector<types::AppResult> results, double latency);
  void on_request_failed(size_t index, uint64_t generation, uint64_t id, std::string message);
  void on_watchdog(size_t index, uint64_t generation, int code);
  void on_exited(size_t index, uint64_t generation, int exit_code, std::string reason);
};

}  // namespace ssf::dispatch
