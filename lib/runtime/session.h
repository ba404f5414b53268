#pragma once
// Internal to runtime: one HTTP/1.1 connection, and the set of open ones.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>
#include <unordered_map>

#include "runtime/http.h"

namespace ssf::runtime {

struct ConnectionLimits {
  size_t max_request_size = 100 * 1024 * 1024;
  std::chrono::milliseconds header_timeout{30000};
  std::chrono::milliseconds body_timeout{120000};
  std::chrono::milliseconds idle_timeout{60000};
};

// What the set of open connections needs of one.
class Connection {
 public:
  virtual ~Connection() = default;
  // From any thread: read no more requests; close once the answers in flight are written.
  virtual void shutdown() = 0;
};

// The open connections, so that a stopping server can close the idle ones. Thread-safe.
class SessionSet {
 public:
  // False once shutdown_all() has run: the connection is to close at once.
  bool add(Connection* session, std::weak_ptr<Connection> handle);
  void remove(Connection* session);
  // Asks every open connection to finish what it has in flight and close.
  void shutdown_all();
  size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::unordered_map<Connection*, std::weak_ptr<Connection>> sessions_;  // guarded by mutex_
  bool shut_down_ = false;                                               // guarded by mutex_
};

using PlainStream = boost::beast::tcp_stream;
using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

// A connection. Everything below runs on the socket's strand; the object lives while an
// operation or a pending response holds a shared_ptr to it.
//
// Reading: wait for the first byte of a request (no deadline while earlier requests are in
// flight, idle_timeout otherwise), then the header (header_timeout), then the body (body_timeout).
// Each complete request goes to the pipeline at once and reading goes on (pipelining), up to
// kMaxInFlight requests; answers are written strictly in request order.
//
// Stream is PlainStream or TlsStream (session.cpp instantiates both). Over TLS the handshake
// comes first, within header_timeout, and closing sends close_notify.
template <typename Stream>
class Session final : public Connection, public std::enable_shared_from_this<Session<Stream>> {
 public:
  // `pipeline` and `sessions` must outlive the session.
  Session(Stream&& stream, const Pipeline& pipeline, const ConnectionLimits& limits,
          SessionSet& sessions);
  ~Session() override;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void start();
  void shutdown() override;

 private:
  struct Slot {
    uint64_t seq = 0;
    unsigned version = 11;
    bool head = false;       // a HEAD request: the body is left out
    bool keep_alive = true;  // the request allows another one after it
    std::optional<HttpResponse> response;
  };

  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;
  boost::beast::tcp_stream& tcp() { return boost::beast::get_lowest_layer(stream_); }
  void on_handshake(boost::beast::error_code ec);
  void do_wait();
  void on_wait(boost::beast::error_code ec, size_t bytes);
  void do_read_header();
  void on_read_header(boost::beast::error_code ec);
  void do_read_body();
  void on_read_body(boost::beast::error_code ec);
  void on_request(std::optional<HttpResponse> early);
  void answer_now(http::status status, std::string_view text);
  void on_response(uint64_t seq, HttpResponse response);
  void do_write();
  void on_write(boost::beast::error_code ec, bool close_after);
  void arm_idle_timer();
  void maybe_close();
  void close_now();
  void close_gracefully();
  void do_linger();
  bool idle() const { return slots_.empty() && !writing_; }

  Stream stream_;
  boost::beast::flat_buffer buffer_;
  boost::asio::steady_timer idle_timer_;
  const Pipeline& pipeline_;
  const ConnectionLimits& limits_;
  SessionSet& sessions_;

  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::empty_body>> interim_;  // "100 Continue" being written
  Clock::time_point header_done_;
  std::deque<Slot> slots_;  // requests in flight, oldest first
  uint64_t next_seq_ = 0;
  bool reading_ = false;      // a read is outstanding
  bool waiting_ = false;      // ... and it waits for a new request
  bool writing_ = false;      // a write is outstanding
  bool read_closed_ = false;  // no more requests will be read
  bool closed_ = false;
};

}  // namespace ssf::runtime
