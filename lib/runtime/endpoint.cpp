// An application endpoint: what upstream's generated FastAPI function did (fastapi.template),
// without a thread blocked per request: the dispatcher calls back when a replica has answered.

#include <boost/asio/post.hpp>
#include <filesystem>
#include <utility>

#include "runtime/router.h"
#include "types/types.h"

namespace ssf::runtime {

namespace {

void remove_files(const std::vector<std::filesystem::path>& files) {
  for (const auto& file : files) {
    std::error_code ignored;  // already gone is fine; nothing else can be done about the rest
    std::filesystem::remove(file, ignored);
  }
}

}  // namespace

EndpointHandler::EndpointHandler(const config::Config& config, const config::Endpoint& endpoint,
                                 dispatch::Dispatcher& dispatcher,
                                 std::chrono::milliseconds request_timeout,
                                 const std::atomic<bool>& stopping)
    : config_(config),
      endpoint_(endpoint),
      dispatcher_(dispatcher),
      request_timeout_(request_timeout),
      stopping_(stopping) {
  // The meta upstream queues with the params (§3); the worker adds `replica`.
  meta_prefix_ = "{\"endpoint_id\":" + config::Value::string(endpoint.id).to_json() +
                 ",\"endpoint_version\":" + config::Value::string(endpoint.version).to_json() +
                 ",\"endpoint_index\":" + std::to_string(endpoint.index);
}

void EndpointHandler::handle(std::shared_ptr<Exchange> exchange, Responder respond) const {
  const HttpRequest& request = exchange->request;
  if (stopping_.load()) {
    // Draining: the dispatcher would refuse it too, once the stop reaches it; answer the same now.
    respond(detail_response(request, http::status::service_unavailable, "Service unavailable"));
    return;
  }
  types::HttpInput input{to_std(request[http::field::content_type]), exchange->query,
                         request.body()};
  types::DecodeOptions options;
  options.temp_prefix = config_.application.id + "_";
  auto decoded = types::decode_inputs(endpoint_, input, options);
  if (!decoded) {
    log::error("{}: {}", exchange->route, decoded.error().message());
    respond(detail_response(request, http::status::bad_request, kProcessingError));
    return;
  }
  if (decoded->invalid) {
    // 422 for inputs that do not validate; 400 for bodies upstream could not even parse.
    respond(json_response(request, static_cast<http::status>(decoded->invalid->status),
                          std::move(decoded->invalid->body)));
    return;
  }
  types::DecodedInputs inputs = std::move(*decoded->inputs);
  if (config_.application.trace) log::info("> {} Enter", config_.application.name);

  std::string meta = meta_prefix_;
  if (exchange->user_id) {
    meta += ",\"user_id\":" + config::Value::string(*exchange->user_id).to_json();
  }
  meta += '}';
  dispatch::Request queued{std::move(inputs.params_json), std::move(meta),
                           Clock::now() + request_timeout_};
  // `done` may run on a replica's reader thread, or here before submit returns: it only removes
  // the uploads (the app has answered, or never will) and hands the outcome to the strand, where
  // encoding happens off the dispatcher's threads.
  auto done = [this, exchange, respond = std::move(respond),
               files = std::move(inputs.temp_files)](dispatch::Outcome outcome) mutable {
    remove_files(files);
    auto executor = exchange->executor;
    boost::asio::post(executor, [this, exchange = std::move(exchange), respond = std::move(respond),
                                 outcome = std::move(outcome)]() mutable {
      respond(answer(exchange->request, std::move(outcome)));
    });
  };
  dispatcher_.submit(std::move(queued), std::move(done));
}

HttpResponse EndpointHandler::answer(const HttpRequest& request, dispatch::Outcome outcome) const {
  using Kind = dispatch::Outcome::Kind;
  switch (outcome.kind) {
    case Kind::Ok: {
      if (outcome.result.rejected) {
        log::warning("{}: the application rejected the input: {}", endpoint_.route(),
                     *outcome.result.rejected);
        return detail_response(request, http::status::bad_request, *outcome.result.rejected);
      }
      auto encoded = types::encode_outputs(endpoint_, outcome.result);
      if (!encoded) {
        log::warning("{}: {}", endpoint_.route(), encoded.error().message());
        return detail_response(request, http::status::bad_request, kProcessingError);
      }
      std::string latency = python_float(outcome.dispatch_latency);
      if (config_.application.trace) {
        log::info("> {} Leave ({})", config_.application.name, latency);
      }
      HttpResponse response{static_cast<http::status>(encoded->status), request.version()};
      response.set(http::field::content_type, encoded->content_type);
      for (auto& [name, value] : encoded->headers) response.insert(name, value);
      response.set("metrics-dispatch-latency", latency);
      response.body() = std::move(encoded->body);
      response.prepare_payload();
      return response;
    }
    case Kind::Failed:
      log::debug("{}: request failed: {}", endpoint_.route(), outcome.message);
      return detail_response(request, http::status::bad_request, kProcessingError);
    case Kind::Overloaded: {
      // Not upstream (its queue is unbounded): the bounded queue's answer, retryable.
      auto response = detail_response(request, http::status::service_unavailable, "Server busy");
      response.set(http::field::retry_after, "1");
      return response;
    }
    case Kind::TimedOut:
      return detail_response(request, http::status::gateway_timeout, "Request timed out");
    case Kind::Unavailable: break;
  }
  return detail_response(request, http::status::service_unavailable, "Service unavailable");
}

}  // namespace ssf::runtime
