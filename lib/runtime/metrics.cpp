// The Prometheus registry and its exposition (see metrics.h for which series and why).

#include "runtime/metrics.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <limits>
#include <utility>

namespace ssf::runtime {

namespace {

double now_epoch() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// prometheus_client escapes label values this way (and nothing else).
void append_label(std::string& out, std::string_view key, std::string_view value) {
  out += key;
  out += "=\"";
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"') {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  out += '"';
}

void append_sample(std::string& out, std::string_view name, std::string_view handler,
                   const std::string* le, std::string_view status, double value) {
  out += name;
  out += '{';
  // The Python client sorts labels by name: handler, le, status.
  append_label(out, "handler", handler);
  out += ',';
  if (le) {
    append_label(out, "le", *le);
    out += ',';
  }
  append_label(out, "status", status);
  out += "} ";
  out += go_float(value);
  out += '\n';
}

}  // namespace

Metrics::Metrics(std::vector<double> buckets) : bounds_(std::move(buckets)) {
  if (bounds_.empty() || bounds_.back() != std::numeric_limits<double>::infinity()) {
    bounds_.push_back(std::numeric_limits<double>::infinity());
  }
  // Names and help texts are upstream's (metric_doc overrides in common_runtime/metrics.py, the
  // instrumentator's defaults otherwise); registration order is theirs too.
  duration_ = family("http_request_duration_seconds", "Duration of requests in seconds", true);
  request_size_ = family("http_request_size_bytes", "Content bytes of requests.", false);
  response_size_ = family("http_response_size_bytes", "Content bytes of responses.", false);
  dispatch_latency_ = family("ssf_dispatch_latency",
                             "Duration of request limited to time spent in application.", true);
}

Metrics::Family Metrics::family(std::string name, std::string help, bool histogram) {
  Family f;
  f.name = std::move(name);
  f.help = std::move(help);
  f.histogram = histogram;
  return f;
}

void Metrics::observe(const Observation& o) {
  std::string status = std::to_string(o.status).substr(0, 1) + "xx";
  std::lock_guard lock(mutex_);
  observe(duration_, o.handler, status, o.duration);
  observe(request_size_, o.handler, status, o.request_bytes);
  observe(response_size_, o.handler, status, o.response_bytes);
  if (o.dispatch_latency) observe(dispatch_latency_, o.handler, status, *o.dispatch_latency);
}

void Metrics::observe(Family& family, std::string_view handler, std::string_view status,
                      double value) {
  std::string key;
  key.reserve(handler.size() + status.size() + 1);
  key.append(handler).append(1, '\0').append(status);
  auto found = family.index.find(key);
  size_t at;
  if (found == family.index.end()) {
    at = family.children.size();
    Child child{std::string(handler), std::string(status), {}, 0, 0, now_epoch()};
    if (family.histogram) child.buckets.assign(bounds_.size(), 0);
    family.children.push_back(std::move(child));
    family.index.emplace(std::move(key), at);
  } else {
    at = found->second;
  }
  Child& child = family.children[at];
  child.count += 1;
  child.sum += value;
  if (family.histogram) {
    for (size_t i = 0; i < bounds_.size(); ++i) {
      if (value <= bounds_[i]) {
        child.buckets[i] += 1;
        break;
      }
    }
  }
}

void Metrics::render(const Family& family, std::string& out) const {
  out += "# HELP " + family.name + " " + family.help + "\n";
  out += "# TYPE " + family.name + (family.histogram ? " histogram\n" : " summary\n");
  for (const Child& child : family.children) {
    if (family.histogram) {
      double cumulative = 0;
      for (size_t i = 0; i < bounds_.size(); ++i) {
        cumulative += child.buckets[i];
        std::string le = go_float(bounds_[i]);
        append_sample(out, family.name + "_bucket", child.handler, &le, child.status, cumulative);
      }
    }
    append_sample(out, family.name + "_count", child.handler, nullptr, child.status, child.count);
    // The Python client leaves out a histogram's sum when a bucket is negative.
    if (!family.histogram || bounds_.front() >= 0) {
      append_sample(out, family.name + "_sum", child.handler, nullptr, child.status, child.sum);
    }
  }
  // prometheus_client 0.9.0 moves the OpenMetrics `_created` samples into a gauge of their own
  // after the family, when there are any.
  if (!family.children.empty()) {
    out += "# HELP " + family.name + "_created " + family.help + "\n";
    out += "# TYPE " + family.name + "_created gauge\n";
    for (const Child& child : family.children) {
      append_sample(out, family.name + "_created", child.handler, nullptr, child.status,
                    child.created);
    }
  }
}

std::string Metrics::render() const {
  std::string out = process_metrics();
  std::lock_guard lock(mutex_);
  render(duration_, out);
  render(request_size_, out);
  render(response_size_, out);
  render(dispatch_latency_, out);
  return out;
}

namespace {

class MetricsMiddleware final : public Middleware {
 public:
  MetricsMiddleware(Metrics& metrics, std::vector<std::string> excluded)
      : metrics_(metrics), excluded_(std::move(excluded)) {}

  void handle(std::shared_ptr<Exchange> exchange, Responder respond, const Next& next) override {
    auto observed = [this, exchange, respond = std::move(respond)](HttpResponse response) {
      observe(*exchange, response);
      respond(std::move(response));
    };
    next(exchange, std::move(observed));
  }

 private:
  static double length_of(const http::fields& fields) {
    auto value = fields[http::field::content_length];
    double length = 0;
    // The instrumentator takes int(Content-Length), 0 when absent.
    std::from_chars(value.data(), value.data() + value.size(), length);
    return length;
  }

  void observe(const Exchange& exchange, const HttpResponse& response) {
    // Starlette's route name, else the instrumentator's "none" (should_group_untemplated).
    std::string_view handler =
        exchange.route.empty() ? std::string_view("none") : std::string_view(exchange.route);
    for (const auto& excluded : excluded_) {
      // Upstream compiles these as regular expressions and searches; they are plain paths.
      if (handler.find(excluded) != std::string_view::npos) return;
    }
    Metrics::Observation o;
    o.handler = handler;
    o.status = response.result_int();
    o.duration = std::chrono::duration<double>(Clock::now() - exchange.start).count();
    o.request_bytes = length_of(exchange.request);
    o.response_bytes = length_of(response);
    if (auto latency = response["metrics-dispatch-latency"]; !latency.empty()) {
      double value = 0;
      auto [end, ec] = std::from_chars(latency.data(), latency.data() + latency.size(), value);
      if (ec == std::errc()) o.dispatch_latency = value;
    }
    metrics_.observe(o);
  }

  Metrics& metrics_;
  std::vector<std::string> excluded_;
};

}  // namespace

std::unique_ptr<Middleware> make_metrics_middleware(Metrics& metrics,
                                                    std::vector<std::string> excluded) {
  return std::make_unique<MetricsMiddleware>(metrics, std::move(excluded));
}

}  // namespace ssf::runtime
