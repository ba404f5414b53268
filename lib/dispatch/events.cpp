// Worker events: each runs on that worker's reader thread, updates the shared state and wakes the
// dispatcher thread. Nothing here blocks on a worker.

#include <algorithm>
#include <numeric>

#include "dispatch/state.h"

namespace ssf::dispatch {

apphost::WorkerEvents Dispatcher::State::events_for(size_t index, uint64_t generation) {
  apphost::WorkerEvents e;
  e.started = [this, index, generation] { on_started(index, generation); };
  e.result = [this, index, generation](uint64_t id, std::vector<types::AppResult> results,
                                       double latency) {
    on_result(index, generation, id, std::move(results), latency);
  };
  e.request_failed = [this, index, generation](uint64_t id, std::string message) {
    on_request_failed(index, generation, id, std::move(message));
  };
  e.watchdog = [this, index, generation](uint64_t, int code) {
    on_watchdog(index, generation, code);
  };
  e.exited = [this, index, generation](int code, std::string reason) {
    on_exited(index, generation, code, std::move(reason));
  };
  return e;
}

void Dispatcher::State::on_started(size_t index, uint64_t generation) {
  std::unique_lock lock(mutex);
  Replica& r = replicas[index];
  if (r.generation != generation) return;
  r.ready = true;
  r.last_activity = Clock::now();
  if (!initial_start_done &&
      std::all_of(replicas.begin(), replicas.end(), [](auto& x) { return x.ready; })) {
    initial_start_done = true;
    log::info("Dispatcher ready");
  }
  wake.notify_all();
}

void Dispatcher::State::on_result(size_t index, uint64_t generation, uint64_t id,
                                  std::vector<types::AppResult> results, double latency) {
  std::unique_lock lock(mutex);
  Replica& r = replicas[index];
  if (r.generation != generation) return;
  auto it = r.in_flight.find(id);
  if (it == r.in_flight.end()) return;
  std::vector<Pending> batch = std::move(it->second);
  r.in_flight.erase(it);
  r.failures = 0;
  r.last_activity = Clock::now();

  for (size_t i = 0; i < batch.size(); ++i) {
    Outcome outcome;
    if (i < results.size()) {
      outcome.result = std::move(results[i]);
    } else {
      outcome.kind = Outcome::Kind::Failed;
      outcome.message = "the application returned fewer results than requests";
    }
    outcome.dispatch_latency = latency;
    complete(batch[i], std::move(outcome));
  }

  // Upstream's request-duration watchdog: the mean of the last N durations above the threshold
  // retires the replica (shutdown, then a fresh one).
  if (settings.watchdog_request_threshold > 0) {
    r.durations.push_back(latency);
    size_t window = static_cast<size_t>(std::max(1, settings.watchdog_request_average));
    while (r.durations.size() > window) r.durations.pop_front();
    double mean = std::accumulate(r.durations.begin(), r.durations.end(), 0.0) /
                  static_cast<double>(r.durations.size());
    if (r.durations.size() == window && mean > settings.watchdog_request_threshold &&
        !r.retiring) {
      log::warning("Dispatcher duration watchdog triggered (avg {}).", mean);
      r.retiring = true;
      // Stopping blocks until the worker has served what it holds, so not on this thread; the
      // retiring thread owns the worker, so that nothing else destroys it meanwhile.
      std::shared_ptr<apphost::Worker> worker(std::move(r.worker));
      retirements.emplace_back([worker] { worker->stop(std::chrono::seconds(10)); });
      wake.notify_all();
    }
  }
  dispatch_inline();
  run_completions(lock);
}

void Dispatcher::State::on_request_failed(size_t index, uint64_t generation, uint64_t id,
                                          std::string message) {
  std::unique_lock lock(mutex);
  Replica& r = replicas[index];
  if (r.generation != generation) return;
  r.failed_request = true;  // no more batches to it: it exits after this
  auto it = r.in_flight.find(id);
  if (it != r.in_flight.end()) {
    for (auto& p : it->second) {
      complete(p, Outcome{Outcome::Kind::Failed, {}, 0, message});
    }
    r.in_flight.erase(it);
  }
  run_completions(lock);
}

void Dispatcher::State::on_watchdog(size_t index, uint64_t generation, int code) {
  std::lock_guard lock(mutex);
  Replica& r = replicas[index];
  if (r.generation != generation) return;
  r.watchdog_pending = false;
  r.last_activity = Clock::now();
  if (code != 0) {
    log::error("{}:{} application watchdog failed ({})", settings.application_id, index, code);
    r.failed_request = true;  // the worker exits after a failed watchdog, as upstream's
  }
}

void Dispatcher::State::on_exited(size_t index, uint64_t generation, int exit_code,
                                  std::string reason) {
  std::unique_lock lock(mutex);
  Replica& r = replicas[index];
  if (r.generation != generation) return;
  int pid = r.pid;
  if (startup_failed) {  // the others, stopped because one failed to start: nothing to record
    r.running = false;
    r.ready = false;
    if (r.worker) r.dead.push_back(std::move(r.worker));
    wake.notify_all();
    return;
  }
  bool app_failure = r.failed_request || !reason.empty();
  r.running = false;
  r.ready = false;
  if (r.worker) r.dead.push_back(std::move(r.worker));

  // The batch it was running fails, unless it said which one failed; the batches pipelined
  // behind it go back to the front of the queue, in order, for another replica.
  auto batches = std::move(r.in_flight);
  r.in_flight.clear();
  bool first = !r.failed_request;
  std::vector<Pending> requeue;
  for (auto& [id, batch] : batches) {
    for (auto& p : batch) {
      if (first) {
        complete(p, Outcome{Outcome::Kind::Failed, {}, 0,
                            fmt::format("replica {} exited ({}) during the request", index, exit_code)});
      } else {
        requeue.push_back(std::move(p));
      }
    }
    first = false;
  }
  for (auto it = requeue.rbegin(); it != requeue.rend(); ++it) queue.push_front(std::move(*it));

  if (quit || (stopping && !app_failure)) {
    wake.notify_all();
    run_completions(lock);
    return;
  }
  if (!initial_start_done) {
    // A replica that dies before all are ready fails the start (upstream: no restarts then).
    startup_codes.push_back(exit_code);
    initial_start_done = true;
    startup_failed = true;
    log::error("Dispatcher failed to start");
    log::error("Dispatcher processes failed with exit codes {{{}: {}}}", pid, exit_code);
    if (!reason.empty()) log::error("{}", reason);
    record_error(exit_code == 255 ? 255 : 32);
    for (auto& other : replicas) {
      if (other.worker) {
        other.dead.push_back(std::move(other.worker));
        other.running = false;
        other.ready = false;
      }
    }
    for (auto& p : queue) complete(p, Outcome{Outcome::Kind::Unavailable, {}, 0, "startup failed"});
    queue.clear();
  } else {
    log::warning("{}:{} ({}) is not alive (exitcode {}).", settings.application_id, index, pid,
                 exit_code);
    if (!reason.empty()) log::error("{}", reason);
    if (app_failure && !r.retiring) r.failures++;
    record_error(32);
  }
  wake.notify_all();
  run_completions(lock);
}

}  // namespace ssf::dispatch
