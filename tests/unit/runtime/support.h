#pragma once
// Test support for the runtime: an in-process application behind a real Dispatcher, the server
// on 127.0.0.1 with an ephemeral port, and a blocking HTTP client with receive deadlines.
//
// The fake application echoes its params as output "echo". The input x says what to do:
//   x == -1        fail the request (the replica then exits, as an app error does)
//   x >= 1000      take x - 1000 milliseconds
//   otherwise      answer at once

#include <sys/socket.h>
#include <sys/time.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "apphost/apphost.h"
#include "config/config.h"
#include "core/core.h"
#include "dispatch/dispatch.h"
#include "runtime/runtime.h"

namespace ssf::runtime::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using namespace std::chrono_literals;

class FakeApp : public apphost::Worker {
 public:
  FakeApp(apphost::WorkerEvents events, int pid)
      : events_(std::move(events)), pid_(pid), thread_([this] { run(); }) {}
  ~FakeApp() override {
    kill();
    thread_.join();
  }
  int pid() const override { return pid_; }
  Status send_request(uint64_t id, const std::vector<std::string>& params,
                      const std::vector<std::string>&) override {
    return push({Op::Request, id, params});
  }
  Status send_watchdog(uint64_t id) override { return push({Op::Watchdog, id, {}}); }
  void stop(std::chrono::milliseconds) override { push_and_wait(Op::Stop); }
  void kill() override { push_and_wait(Op::Kill); }

 private:
  enum class Op { Request, Watchdog, Stop, Kill };
  struct Command {
    Op op;
    uint64_t id;
    std::vector<std::string> params;
  };

  Status push(Command c) {
    std::lock_guard lock(mutex_);
    if (gone_) return Error(ResultCode::InternalError, "worker gone");
    commands_.push_back(std::move(c));
    cv_.notify_all();
    return {};
  }
  void push_and_wait(Op op) {
    (void)push({op, 0, {}});
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return exited_; });
  }
  void exit(int code) {
    {
      std::lock_guard lock(mutex_);
      gone_ = true;
    }
    events_.exited(code, "");
    std::lock_guard lock(mutex_);
    exited_ = true;
    cv_.notify_all();
  }
  static long x_of(const std::string& params) {
    auto at = params.find("\"x\":");
    return at == std::string::npos ? 0 : std::stol(params.substr(at + 4));
  }

  void run() {
    events_.started();
    while (true) {
      Command c;
      {
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [&] { return !commands_.empty(); });
        c = std::move(commands_.front());
        commands_.pop_front();
      }
      if (c.op == Op::Kill) return exit(137);
      if (c.op == Op::Stop) return exit(0);
      if (c.op == Op::Watchdog) {
        events_.watchdog(c.id, 0);
        continue;
      }
      std::vector<types::AppResult> results;
      for (const auto& p : c.params) {
        long x = x_of(p);
        if (x == -1) {
          events_.request_failed(c.id, "division by zero");
          return exit(32);
        }
        if (x >= 1000) std::this_thread::sleep_for(std::chrono::milliseconds(x - 1000));
        types::AppResult r;
        r.outputs = config::Value::map({{"echo", config::Value::string(p)}});
        results.push_back(std::move(r));
      }
      events_.result(c.id, std::move(results), 0.25);
    }
  }

  apphost::WorkerEvents events_;
  int pid_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Command> commands_;
  bool gone_ = false;
  bool exited_ = false;
  std::thread thread_;
};

inline config::Config test_config() {
  config::Config c;
  c.application.id = "simple-test";
  c.application.name = "Test API";
  c.application.trace = false;
  config::Endpoint e;
  e.index = 0;
  e.id = "Test1";
  e.version = "1";
  e.inputs.push_back(config::Param{"x", config::DataType::Integer, "x", std::nullopt, {}});
  e.outputs.push_back(config::Param{"echo", config::DataType::String, "echo", std::nullopt, {}});
  c.endpoints.push_back(e);
  config::Endpoint upload;
  upload.index = 1;
  upload.id = "Upload";
  upload.version = "1";
  upload.param_format = config::ParamFormat::Query;
  upload.inputs.push_back(config::Param{"file", config::DataType::TempFile, "f", std::nullopt, {}});
  upload.outputs = e.outputs;
  c.endpoints.push_back(upload);
  return c;
}

inline ServerSettings test_settings() {
  ServerSettings s;
  s.host = "127.0.0.1";
  s.port = 0;
  s.handle_signals = false;
  s.shutdown_grace = 5s;
  return s;
}

inline dispatch::Settings test_dispatch() {
  dispatch::Settings d;
  d.watchdog_ready_period = std::chrono::seconds(0);
  d.batching_timeout = std::chrono::duration<double>(0.001);
  return d;
}

// The server running on a thread of its own; stopped, bounded in time, when the test ends.
class TestServer {
 public:
  explicit TestServer(ServerSettings settings = test_settings(),
                      dispatch::Settings dispatch_settings = test_dispatch()) {
    log::init({"", log::Level::Debug, log::Level::Critical, false});
    dispatcher_ = std::make_unique<dispatch::Dispatcher>(
        dispatch_settings,
        [this](int, apphost::WorkerEvents events) -> Result<std::unique_ptr<apphost::Worker>> {
          return std::unique_ptr<apphost::Worker>(new FakeApp(std::move(events), ++pids_));
        },
        [](int) {});
    dispatcher_->start();
    auto server = Server::create(config_, std::move(settings), *dispatcher_);
    if (!server) {
      std::fprintf(stderr, "cannot start the server: %s\n", server.error().message().c_str());
      std::abort();
    }
    server_ = std::move(*server);
    thread_ = std::thread([this] {
      server_->run();
      done_.set_value();
    });
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!dispatcher_->health().ready && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(5ms);
    }
  }
  ~TestServer() {
    server_->stop();
    // A server that does not drain would hang the whole test run: fail loudly instead.
    if (finished_.wait_for(30s) != std::future_status::ready) {
      std::fprintf(stderr, "the server did not stop within 30 s\n");
      std::abort();
    }
    thread_.join();
  }

  Server& server() { return *server_; }
  dispatch::Dispatcher& dispatcher() { return *dispatcher_; }
  uint16_t port() const { return server_->bound_port(); }
  // Waits (bounded) for run() to return; true when it did.
  bool wait_stopped(std::chrono::milliseconds limit) {
    return finished_.wait_for(limit) == std::future_status::ready;
  }

 private:
  config::Config config_ = test_config();
  std::atomic<int> pids_{1000};
  std::unique_ptr<dispatch::Dispatcher> dispatcher_;
  std::unique_ptr<Server> server_;
  std::promise<void> done_;
  std::shared_future<void> finished_ = done_.get_future().share();
  std::thread thread_;
};

using Response = http::response<http::string_body>;

// A blocking client; every read gives up after `timeout`.
class Client {
 public:
  explicit Client(uint16_t port, std::chrono::milliseconds timeout = 10s) : socket_(io_) {
    socket_.connect({asio::ip::make_address("127.0.0.1"), port});
    timeval tv{static_cast<time_t>(timeout.count() / 1000),
               static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
    setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }

  void send(const std::string& raw) { asio::write(socket_, asio::buffer(raw)); }

  // The next response; a default (status 0) one when the connection closed or timed out.
  Response read() {
    Response response;
    beast::error_code ec;
    http::read(socket_, buffer_, response, ec);
    if (ec) {
      last_error_ = ec;
      return Response{};
    }
    return response;
  }

  // The next response to a HEAD request: it has no body, whatever its Content-Length says.
  Response read_head() {
    http::response_parser<http::string_body> parser;
    parser.skip(true);
    beast::error_code ec;
    http::read(socket_, buffer_, parser, ec);
    if (ec) {
      last_error_ = ec;
      return Response{};
    }
    return parser.release();
  }

  Response request(const std::string& method, const std::string& target,
                   const std::string& body = "", const std::string& extra_headers = "") {
    send(raw(method, target, body, extra_headers));
    return read();
  }

  // True when the server closed the connection (a read returns end of stream).
  bool closed_by_server() {
    char byte;
    beast::error_code ec;
    socket_.read_some(asio::buffer(&byte, 1), ec);
    return ec == asio::error::eof || ec == asio::error::connection_reset;
  }

  static std::string raw(const std::string& method, const std::string& target,
                         const std::string& body = "", const std::string& extra_headers = "") {
    std::string r = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra_headers;
    if (extra_headers.find("Content-Type") == std::string::npos &&
        (!body.empty() || method == "POST")) {
      r += "Content-Type: application/json\r\n";
    }
    if (!body.empty() || method == "POST") {
      r += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    }
    return r + "\r\n" + body;
  }

  beast::error_code last_error() const { return last_error_; }

 private:
  asio::io_context io_;
  asio::ip::tcp::socket socket_;
  beast::flat_buffer buffer_;
  beast::error_code last_error_;
};

// One request on a connection of its own.
inline Response fetch(uint16_t port, const std::string& method, const std::string& target,
                      const std::string& body = "") {
  Client client(port);
  return client.request(method, target, body);
}

inline std::string header(const Response& r, const std::string& name) {
  return std::string(r[name]);
}

}  // namespace ssf::runtime::test
