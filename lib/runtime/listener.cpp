// Accepting connections.

#include "runtime/listener.h"

#include "runtime/handover.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/ssl.hpp>
#include <utility>

namespace ssf::runtime {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// The place of an accept error: a full file table clears up when connections close, so accepting
// goes on after a pause instead of spinning on the error.
constexpr auto kAcceptRetry = std::chrono::milliseconds(100);

Error listen_error(const std::string& host, uint16_t port, const std::string& reason) {
  // Upstream's uvicorn failure is RESULT_UVICORN_ERROR.
  return Error(ResultCode::UvicornError,
               "cannot listen on " + host + ":" + std::to_string(port) + ": " + reason);
}

}  // namespace

Listener::Listener(asio::io_context& io, const Pipeline& pipeline, const ConnectionLimits& limits,
                   SessionSet& sessions)
    : io_(io),
      acceptor_(asio::make_strand(io)),
      retry_timer_(acceptor_.get_executor()),
      pipeline_(pipeline),
      limits_(limits),
      sessions_(sessions) {}

Result<std::shared_ptr<Listener>> Listener::bind(asio::io_context& io, const std::string& host,
                                                 uint16_t port, const Pipeline& pipeline,
                                                 const ConnectionLimits& limits,
                                                 SessionSet& sessions, asio::ssl::context* tls,
                                                 bool reuse_port) {
  boost::system::error_code ec;
  tcp::endpoint endpoint;
  auto address = asio::ip::make_address(host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, port);
  } else {
    // A host name, as uvicorn accepts: its first address.
    tcp::resolver resolver(io);
    auto results = resolver.resolve(host, std::to_string(port), tcp::resolver::passive, ec);
    if (ec || results.empty()) {
      return listen_error(host, port, ec ? ec.message() : "no address");
    }
    endpoint = results.begin()->endpoint();
  }

  auto listener = std::make_shared<Listener>(io, pipeline, limits, sessions);
  listener->tls_ = tls;
  tcp::acceptor& acceptor = listener->acceptor_;
  if (acceptor.open(endpoint.protocol(), ec); ec) return listen_error(host, port, ec.message());
  // Restarts must not wait for the old server's connections to leave TIME_WAIT.
  if (acceptor.set_option(asio::socket_base::reuse_address(true), ec); ec) {
    return listen_error(host, port, ec.message());
  }
  if (reuse_port) {
    using reuse_port_option = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;
    if (acceptor.set_option(reuse_port_option(true), ec); ec) {
      return listen_error(host, port, ec.message());
    }
  }
  if (acceptor.bind(endpoint, ec); ec) return listen_error(host, port, ec.message());
  listener->port_ = acceptor.local_endpoint(ec).port();
  if (ec) return listen_error(host, port, ec.message());
  listener->host_ = host;
  listener->reuse_port_ = reuse_port;
  if (!reuse_port) SSF_TRY(listener->listen());
  return listener;
}

Status Listener::listen() {
  if (listening_) return {};
  boost::system::error_code ec;
  // Sockets already listening on the port: a running version this server takes over from.
  size_t before = reuse_port_ ? handover::listeners_on(acceptor_.local_endpoint(ec)) : 0;
  if (acceptor_.listen(asio::socket_base::max_listen_connections, ec); ec) {
    return listen_error(host_, port_, ec.message());
  }
  listening_ = true;
  if (before > 0 && handover::steer_new_connections(acceptor_.native_handle(), before)) {
    log::info("Taking new connections on port {} from the {} server(s) already listening",
              port_, before);
  }
  return {};
}

void Listener::start() {
  asio::dispatch(acceptor_.get_executor(), [self = shared_from_this()] { self->do_accept(); });
}

void Listener::close() {
  asio::dispatch(acceptor_.get_executor(), [self = shared_from_this()] {
    self->closed_ = true;
    self->retry_timer_.cancel();
    boost::system::error_code ignored;
    // Connections already in the backlog would be reset by the close: with SO_REUSEPORT they
    // were meant for this server, and another one (the next version) is now taking the new
    // ones. Take them first, without waiting, and serve them.
    if (self->listening_) {
      self->acceptor_.non_blocking(true, ignored);
      while (true) {
        boost::system::error_code ec;
        tcp::socket socket(asio::make_strand(self->io_));
        self->acceptor_.accept(socket, ec);
        if (ec) break;
        self->serve(std::move(socket));
      }
    }
    self->acceptor_.close(ignored);
  });
}

void Listener::do_accept() {
  if (closed_) return;
  // Each connection gets a strand of its own: its handlers never run concurrently, and
  // connections spread over every io thread.
  acceptor_.async_accept(
      asio::make_strand(io_),
      [self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
        self->on_accept(ec, std::move(socket));
      });
}

void Listener::on_accept(boost::system::error_code ec, tcp::socket socket) {
  if (closed_ || ec == asio::error::operation_aborted) return;
  if (ec) {
    log::warning("accept: {}", ec.message());
    retry_timer_.expires_after(kAcceptRetry);
    retry_timer_.async_wait([self = shared_from_this()](boost::system::error_code wait_ec) {
      if (!wait_ec) self->do_accept();
    });
    return;
  }
  serve(std::move(socket));
  do_accept();
}

void Listener::serve(tcp::socket socket) {
  // Answers are small and often pipelined: do not hold them back for Nagle's algorithm.
  boost::system::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  if (tls_) {
    std::make_shared<Session<TlsStream>>(TlsStream(std::move(socket), *tls_), pipeline_, limits_,
                                         sessions_)
        ->start();
  } else {
    std::make_shared<Session<PlainStream>>(PlainStream(std::move(socket)), pipeline_, limits_,
                                           sessions_)
        ->start();
  }
}

}  // namespace ssf::runtime
