#pragma once
// Internal to runtime: a listening socket that starts a Session per connection.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "core/core.h"
#include "runtime/http.h"
#include "runtime/session.h"

namespace ssf::runtime {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // Binds host:port (SO_REUSEADDR) and listens. Accepts nothing until start(). `pipeline`,
  // `limits`, `sessions` and `tls` must outlive the listener and its sessions; with `tls` every
  // connection speaks TLS, else plain HTTP.
  // With `reuse_port`, the socket is bound with SO_REUSEPORT (so that another server may share
  // the port, e.g. the next version during a deploy) and does not listen until listen(): the
  // kernel hands connections only to listening sockets.
  // Errors: UvicornError (128) "cannot listen on <host>:<port>: <reason>".
  static Result<std::shared_ptr<Listener>> bind(boost::asio::io_context& io,
                                                const std::string& host, uint16_t port,
                                                const Pipeline& pipeline,
                                                const ConnectionLimits& limits,
                                                SessionSet& sessions,
                                                boost::asio::ssl::context* tls = nullptr,
                                                bool reuse_port = false);
  // Listens, when bind() deferred it. Call before start(), from one thread. With `reuse_port`,
  // new connections on the port then come to this server only (handover.h), so that a server
  // already listening there can close without resetting a half-open connection.
  Status listen();

  uint16_t port() const { return port_; }
  void start();
  // From any thread: stop accepting and close the socket.
  void close();

  // Public for make_shared; use bind().
  Listener(boost::asio::io_context& io, const Pipeline& pipeline, const ConnectionLimits& limits,
           SessionSet& sessions);

 private:
  void do_accept();
  // Starts a session (plain or TLS) on an accepted connection.
  void serve(boost::asio::ip::tcp::socket socket);
  void on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& io_;
  boost::asio::ip::tcp::acceptor acceptor_;  // on a strand: close() may come from any thread
  boost::asio::steady_timer retry_timer_;
  const Pipeline& pipeline_;
  const ConnectionLimits& limits_;
  SessionSet& sessions_;
  boost::asio::ssl::context* tls_ = nullptr;
  uint16_t port_ = 0;
  std::string host_;
  bool reuse_port_ = false;
  bool listening_ = false;
  bool closed_ = false;  // on the acceptor's strand
};

}  // namespace ssf::runtime
