#pragma once
// dispatch: the request queue, dynamic batching and the replicas (ssf-behaviour.md §5.3-§5.6).
// The only header of this module that others include.
//
// One FIFO queue serves every replica. A batch is sent to a replica as soon as it is full
// (max_batch_size) or batching_timeout after its first request; unbatched apps send each request
// at once. A replica that dies is noticed at once (its worker's `exited` event), its in-flight
// batch fails, the requests queued behind it go back to the queue, and it is restarted, up to
// max_allowed_restarts consecutive failures. Health is derived from replica state as upstream.

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "apphost/apphost.h"
#include "core/core.h"
#include "types/types.h"

namespace ssf::dispatch {

struct Settings {
  std::string application_id = "app";       // names replicas in log lines: "<id>:<i>"
  int replicas = 1;                          // -ra
  int max_batch_size = 1;                    // application.max_batch_size
  std::chrono::duration<double> batching_timeout{1.0};
  int max_allowed_restarts = 2;
  std::chrono::seconds watchdog_ready_period{5};      // 0: off
  double watchdog_request_threshold = 0;              // seconds; 0: off
  int watchdog_request_average = 3;
  bool stop_on_error = false;
  size_t max_queue = 4096;  // queued requests beyond this are refused (Overloaded)
  int pipeline_depth = 4;   // batches in flight to one replica at once
};

struct Request {
  std::string params_json;  // JSON object
  std::string meta_json;    // {"endpoint_id":...,"endpoint_version":...,"endpoint_index":...}
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

struct Outcome {
  enum class Kind {
    Ok,           // result is set
    Failed,       // the app failed on this request's batch, or its replica died (→ 400)
    Overloaded,   // the queue is full (→ 503 + Retry-After)
    TimedOut,     // the deadline passed before a replica took it (→ 504)
    Unavailable,  // no replica can serve: stopping, or every replica gave up (→ 503)
  };
  Kind kind = Kind::Ok;
  types::AppResult result;
  double dispatch_latency = 0;  // seconds in the app's request(), for its whole batch
  std::string message;          // why, for the log
};

// Starts a replica's worker; the dispatcher passes the events it must receive.
using WorkerFactory =
    std::function<Result<std::unique_ptr<apphost::Worker>>(int replica, apphost::WorkerEvents)>;

class Dispatcher {
 public:
  // `on_error(code)` is called once per recorded application error (upstream's
  // notify_error_callback); with stop_on_error the runtime stops itself there.
  Dispatcher(Settings settings, WorkerFactory factory, std::function<void(int code)> on_error);
  ~Dispatcher();  // stop() if needed
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Starts the replicas; returns at once. Logs "Dispatcher ready" when all are ready, or
  // "Dispatcher failed to start" when one dies first.
  void start();

  // Queues one request. `done` is called exactly once, from any thread, possibly before submit
  // returns (Overloaded, Unavailable).
  void submit(Request request, std::function<void(Outcome)> done);

  struct Health {
    bool started = false;  // start() has finished (every replica ready, or startup failed)
    bool ready = false;    // at least one replica is ready
    bool live = true;      // no startup failure, no replica beyond its restarts
  };
  Health health() const;

  // Drains: refuses new requests (Unavailable), finishes queued and in-flight ones, then stops
  // every replica (shutdown() in each). Waits at most `grace` for the requests. Idempotent.
  void stop(std::chrono::milliseconds grace);

  // Upstream's run result (§5.1): 0 when no replica failed; the one distinct failure code; 32
  // when there were several.
  int exit_code() const;

  // For metrics and tests: requests waiting, and batches sent so far by size.
  size_t queued() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace ssf::dispatch
