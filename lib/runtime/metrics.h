#pragma once
// Internal to runtime: the Prometheus series upstream exposes (ssf-behaviour.md §5.9), in the
// text format 0.0.4 exactly as prometheus_client 0.9.0 writes it.
//
// Upstream (server_metrics.py, common_runtime/metrics.py) adds four instrumentations to
// prometheus_fastapi_instrumentator 6.0.0, all labelled {handler, status}:
//   http_request_duration_seconds  histogram, --prometheus-buckets (+Inf)
//   http_request_size_bytes        summary of the request's Content-Length (0 when absent)
//   http_response_size_bytes       summary of the response's Content-Length
//   ssf_dispatch_latency           histogram of the metrics-dispatch-latency header, when present
// Because they are added before Starlette builds its middleware stack, the instrumentator's own
// default metrics (http_requests_total, ..._highr_seconds, method labels) are never created;
// upstream's test of custom buckets depends on that. `status` is grouped ("2xx"); `handler` is the
// route that matched, else "none". A series appears with its first observation.

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runtime/http.h"

namespace ssf::runtime {

class Metrics {
 public:
  // `buckets`: sorted upper bounds; +Inf is appended when missing.
  explicit Metrics(std::vector<double> buckets);

  struct Observation {
    std::string_view handler;
    int status = 200;
    double duration = 0;  // seconds
    double request_bytes = 0;
    double response_bytes = 0;
    std::optional<double> dispatch_latency;  // seconds
  };
  // Thread-safe.
  void observe(const Observation& observation);

  // The whole exposition: process_* families (prometheus_client's process collector), then ours.
  std::string render() const;

 private:
  struct Child {
    std::string handler;
    std::string status;
    std::vector<double> buckets;  // per bucket, not cumulative; empty for a summary
    double count = 0;
    double sum = 0;
    double created = 0;  // seconds since the epoch
  };
  struct Family {
    std::string name;
    std::string help;
    bool histogram = false;
    std::vector<Child> children;  // in order of first observation, as the Python client
    std::unordered_map<std::string, size_t> index;
  };
  static Family family(std::string name, std::string help, bool histogram);
  void observe(Family& family, std::string_view handler, std::string_view status, double value);
  void render(const Family& family, std::string& out) const;

  std::vector<double> bounds_;
  mutable std::mutex mutex_;
  Family duration_;          // guarded by mutex_
  Family request_size_;      // guarded by mutex_
  Family response_size_;     // guarded by mutex_
  Family dispatch_latency_;  // guarded by mutex_
};

// process_virtual_memory_bytes ... process_max_fds, read from /proc/self.
std::string process_metrics();

// Observes every exchange whose handler no `excluded` path occurs in (upstream's
// excluded_handlers: /docs, /openapi.json, the metrics path, the health probes). `metrics` must
// outlive the middleware.
std::unique_ptr<Middleware> make_metrics_middleware(Metrics& metrics,
                                                    std::vector<std::string> excluded);

// The text format's Content-Type (prometheus_client's CONTENT_TYPE_LATEST).
inline constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace ssf::runtime
