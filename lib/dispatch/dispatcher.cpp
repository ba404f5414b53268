// The dispatcher's public face and its thread: starting and restarting replicas, forming batches,
// polling idle replicas' watchdogs, expiring requests whose deadline passed. Worker events are
// handled in events.cpp.

#include <algorithm>
#include <set>

#include "dispatch/state.h"

namespace ssf::dispatch {

namespace {

// Batched apps keep at most two batches at a replica (one running, one ready), so that requests
// wait in our queue, where they can join a batch, rather than in the worker's.
size_t depth_of(const Settings& s) {
  size_t depth = static_cast<size_t>(std::max(1, s.pipeline_depth));
  return s.max_batch_size > 1 ? std::min<size_t>(depth, 2) : depth;
}

}  // namespace

Dispatcher::Dispatcher(Settings settings, WorkerFactory factory, std::function<void(int)> on_error)
    : state_(std::make_unique<State>()) {
  state_->settings = std::move(settings);
  state_->settings.replicas = std::max(1, state_->settings.replicas);
  state_->settings.max_batch_size = std::max(1, state_->settings.max_batch_size);
  state_->factory = std::move(factory);
  state_->on_error = on_error ? std::move(on_error) : [](int) {};
  state_->replicas.resize(static_cast<size_t>(state_->settings.replicas));
}

Dispatcher::~Dispatcher() { stop(std::chrono::milliseconds(0)); }

void Dispatcher::start() {
  std::lock_guard lock(state_->mutex);
  if (state_->thread.joinable()) return;
  state_->thread = std::thread([s = state_.get()] { s->loop(); });
}

void Dispatcher::submit(Request request, std::function<void(Outcome)> done) {
  State& s = *state_;
  std::unique_lock lock(s.mutex);
  Pending pending{std::move(request), std::move(done), Clock::now()};
  bool dead = s.startup_failed ||
              (s.max_restart_reached &&
               std::none_of(s.replicas.begin(), s.replicas.end(), [](auto& r) { return r.running; }));
  if (s.stopping || dead) {
    s.complete(pending, Outcome{Outcome::Kind::Unavailable, {}, 0,
                                s.stopping ? "the server is stopping" : "no replica can serve"});
  } else if (s.queue.size() >= s.settings.max_queue) {
    s.complete(pending, Outcome{Outcome::Kind::Overloaded, {}, 0,
                                fmt::format("the queue is full ({} requests)", s.queue.size())});
  } else {
    s.queue.push_back(std::move(pending));
    s.dispatch_inline();
  }
  s.run_completions(lock);
}

Dispatcher::Health Dispatcher::health() const {
  std::lock_guard lock(state_->mutex);
  const State& s = *state_;
  Health h;
  h.started = s.initial_start_done;
  h.ready = s.initial_start_done && !s.startup_failed && !s.stopping &&
            std::any_of(s.replicas.begin(), s.replicas.end(), [](auto& r) { return r.ready; });
  h.live = s.initial_start_done ? !s.startup_failed && !s.max_restart_reached : true;
  return h;
}

size_t Dispatcher::queued() const {
  std::lock_guard lock(state_->mutex);
  return state_->queue.size();
}

int Dispatcher::exit_code() const {
  std::lock_guard lock(state_->mutex);
  std::set<int> codes(state_->errors.begin(), state_->errors.end());
  codes.erase(0);
  if (codes.empty()) return 0;
  return codes.size() == 1 ? *codes.begin() : 32;
}

void Dispatcher::stop(std::chrono::milliseconds grace) {
  State& s = *state_;
  std::unique_lock lock(s.mutex);
  if (s.quit) return;
  s.stopping = true;
  s.wake.notify_all();
  auto deadline = Clock::now() + grace;
  s.wake.wait_until(lock, deadline, [&] {
    return s.queue.empty() && std::all_of(s.replicas.begin(), s.replicas.end(),
                                          [](auto& r) { return r.in_flight.empty(); });
  });
  for (auto& pending : s.queue) {
    s.complete(pending, Outcome{Outcome::Kind::Unavailable, {}, 0, "the server stopped"});
  }
  s.queue.clear();
  s.quit = true;
  s.wake.notify_all();
  std::vector<std::unique_ptr<apphost::Worker>> workers;
  for (auto& r : s.replicas) {
    if (r.worker) workers.push_back(std::move(r.worker));
    for (auto& d : r.dead) workers.push_back(std::move(d));
    r.dead.clear();
  }
  std::vector<std::thread> retirements = std::move(s.retirements);
  s.run_completions(lock);
  lock.unlock();
  if (s.thread.joinable()) s.thread.join();
  for (auto& t : retirements) t.join();

  // Each replica calls its app's shutdown(); in parallel, so that N replicas cost one wait.
  std::vector<std::thread> stoppers;
  for (auto& w : workers) {
    stoppers.emplace_back([&w] { w->stop(std::chrono::seconds(10)); });
  }
  for (auto& t : stoppers) t.join();
  workers.clear();

  lock.lock();
  for (auto& r : s.replicas) {
    for (auto& [id, batch] : r.in_flight) {
      for (auto& p : batch) s.complete(p, Outcome{Outcome::Kind::Unavailable, {}, 0, "stopped"});
    }
    r.in_flight.clear();
  }
  s.run_completions(lock);
}

void Dispatcher::State::run_completions(std::unique_lock<std::mutex>& lock) {
  if (completions.empty()) return;
  auto ready = std::move(completions);
  completions.clear();
  lock.unlock();
  for (auto& [done, outcome] : ready) {
    if (done) done(std::move(outcome));
  }
  lock.lock();
}

void Dispatcher::State::record_error(int code) {
  errors.push_back(code);
  log::error("Application has errored : {}", code);
  // on_error may stop the server: run it like a completion, outside the lock.
  completions.emplace_back([this, code](Outcome) { on_error(code); }, Outcome{});
}

void Dispatcher::State::start_replica(std::unique_lock<std::mutex>& lock, size_t index) {
  Replica& r = replicas[index];
  uint64_t generation = ++r.generation;
  r.running = true;
  r.ready = false;
  r.failed_request = false;
  r.retiring = false;
  r.watchdog_pending = false;
  r.durations.clear();
  auto events = events_for(index, generation);
  lock.unlock();
  auto worker = factory(static_cast<int>(index), std::move(events));
  lock.lock();
  if (!worker) {
    log::error("{}:{} could not start: {}", settings.application_id, index,
               worker.error().message());
    r.running = false;
    record_error(to_int(worker.error().code()));
    if (!initial_start_done) {
      startup_failed = true;
      initial_start_done = true;
      log::error("Dispatcher failed to start");
    }
    return;
  }
  r.pid = (*worker)->pid();
  if (r.generation == generation && r.running) {
    r.worker = std::move(*worker);
  } else {
    r.dead.push_back(std::move(*worker));  // it exited before we got here: `exited` has run
  }
}

void Dispatcher::State::loop() {
  std::unique_lock lock(mutex);
  for (size_t i = 0; i < replicas.size() && !quit && !startup_failed; ++i) start_replica(lock, i);

  while (!quit) {
    auto now = Clock::now();
    auto next_wake = now + std::chrono::seconds(1);

    for (size_t i = 0; i < replicas.size(); ++i) {
      Replica& r = replicas[i];
      if (!r.dead.empty()) {
        auto dead = std::move(r.dead);
        r.dead.clear();
        lock.unlock();
        dead.clear();  // joins their reader threads, outside the lock
        lock.lock();
      }
      bool may_restart = initial_start_done && !startup_failed && !stopping && !quit;
      if (!r.running && !r.worker && may_restart && !max_restart_reached) {
        if (r.failures >= settings.max_allowed_restarts) {
          log::error("Dispatcher: Replica {} of {} health check kept failing after {} restarts.", i,
                     settings.application_id, r.failures);
          max_restart_reached = true;
          for (size_t j = 0; j < replicas.size(); ++j) {
            if (!replicas[j].running) {
              log::error("Dispatcher: Replica {} of {} is stopped, max restarts reached.", j,
                         settings.application_id);
            }
          }
        } else {
          log::info("Dispatcher: restarting replica {} of {}", i, settings.application_id);
          start_replica(lock, i);
        }
      }
    }
    expire(now, next_wake);
    send_batches(now, next_wake);
    poll_watchdogs(now, next_wake);
    run_completions(lock);
    if (quit) break;
    thread_wakes_at = next_wake;
    wake.wait_until(lock, next_wake);
    thread_wakes_at = Clock::time_point::min();  // awake: it looks at everything before sleeping
  }
}

void Dispatcher::State::expire(Clock::time_point now, Clock::time_point& next_wake) {
  for (auto it = queue.begin(); it != queue.end();) {
    if (it->request.deadline <= now) {
      complete(*it, Outcome{Outcome::Kind::TimedOut, {}, 0, "no replica took it in time"});
      it = queue.erase(it);
    } else {
      next_wake = std::min(next_wake, it->request.deadline);
      ++it;
    }
  }
}

void Dispatcher::State::send_batches(Clock::time_point now, Clock::time_point& next_wake) {
  const size_t depth = depth_of(settings);
  const size_t max_batch = static_cast<size_t>(settings.max_batch_size);
  while (!queue.empty()) {
    // The least busy replica; ties go round-robin, so that a trickle of requests still uses
    // every replica (and every replica's warm state).
    Replica* target = nullptr;
    for (size_t k = 0; k < replicas.size(); ++k) {
      Replica& r = replicas[(next_replica + k) % replicas.size()];
      if (r.ready && r.worker && !r.retiring && !r.failed_request && r.in_flight.size() < depth &&
          (!target || r.in_flight.size() < target->in_flight.size())) {
        target = &r;
      }
    }
    if (!target) return;
    next_replica = static_cast<size_t>(target - replicas.data()) + 1;
    if (max_batch > 1 && queue.size() < max_batch) {
      auto due = queue.front().queued_at +
                 std::chrono::duration_cast<Clock::duration>(settings.batching_timeout);
      if (due > now && !stopping) {
        next_wake = std::min(next_wake, due);
        return;
      }
    }
    size_t n = std::min(max_batch, queue.size());
    std::vector<Pending> batch;
    std::vector<std::string> params, meta;
    for (size_t i = 0; i < n; ++i) {
      params.push_back(queue.front().request.params_json);
      meta.push_back(queue.front().request.meta_json);
      batch.push_back(std::move(queue.front()));
      queue.pop_front();
    }
    uint64_t id = next_id++;
    log::debug("[{}] Dispatcher issuing request", target - replicas.data());
    Status sent = target->worker->send_request(id, params, meta);
    if (!sent) {
      // The worker is going away; its `exited` event follows. Keep the order: back to the front.
      for (auto it = batch.rbegin(); it != batch.rend(); ++it) queue.push_front(std::move(*it));
      target->failed_request = true;
      return;
    }
    target->in_flight.emplace(id, std::move(batch));
  }
}

void Dispatcher::State::dispatch_inline() {
  // Until every replica has started, the dispatcher thread owns the replicas (start_replica
  // unlocks the mutex while a worker starts).
  auto due = Clock::time_point::max();
  if (initial_start_done && !quit) send_batches(Clock::now(), due);
  // stop() waits for the last in-flight request, so it hears of every change while stopping.
  // Otherwise the thread is woken only when it must act sooner than it planned to: a batch to
  // time, or the deadline of the oldest queued request (requests queue in arrival order with
  // one timeout, so the front's comes first). Waking it for every request and result when
  // every replica is busy cost a context switch per request.
  if (stopping) {
    wake.notify_all();
    return;
  }
  if (!queue.empty()) due = std::min(due, queue.front().request.deadline);
  if (due < thread_wakes_at) wake.notify_all();
}

void Dispatcher::State::poll_watchdogs(Clock::time_point now, Clock::time_point& next_wake) {
  if (settings.watchdog_ready_period.count() <= 0) return;
  for (auto& r : replicas) {
    if (!r.ready || !r.worker || r.watchdog_pending || !r.in_flight.empty() || r.retiring) continue;
    auto due = r.last_activity + settings.watchdog_ready_period;
    if (due > now) {
      next_wake = std::min(next_wake, due);
      continue;
    }
    if (r.worker->send_watchdog(next_id++)) {
      r.watchdog_pending = true;
      r.last_activity = now;
    }
  }
}

}  // namespace ssf::dispatch
