// One connection: reads requests with deadlines, hands them to the pipeline as they arrive, and
// writes the answers back in order (session.h describes the states).
//
// Implementation note. beast::tcp_stream keeps one timer for reads and one for writes, and a
// timer that fires closes the socket. Waiting for the next request therefore never uses it: a
// client that is quietly waiting for a slow answer must not be cut off. That wait has no stream
// deadline and is bounded by idle_timer_ instead, armed only while nothing is in flight.

#include "runtime/session.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <utility>

#include "core/core.h"

namespace ssf::runtime {

namespace beast = boost::beast;
namespace asio = boost::asio;

namespace {

// Enough to keep a pipelining client busy; beyond it the connection stops reading until answers
// have gone out, so one connection cannot queue unbounded work.
constexpr size_t kMaxInFlight = 16;
// uvicorn (h11) accepts about this much header; Beast's default of 8 KiB is too tight for cookies.
constexpr uint32_t kHeaderLimit = 64 * 1024;
constexpr size_t kReadChunk = 16 * 1024;
// After the last answer of a closing connection, unread request bytes are drained for at most
// this long, so that closing does not reset the connection before the client has read the answer.
constexpr auto kLingerTime = std::chrono::seconds(2);

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Starlette routes on the percent-decoded path.
std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      int high = hex_value(text[i + 1]);
      int low = hex_value(text[i + 2]);
      if (high >= 0 && low >= 0) {
        out += static_cast<char>(high * 16 + low);
        i += 2;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

}  // namespace

bool SessionSet::add(Connection* session, std::weak_ptr<Connection> handle) {
  std::lock_guard lock(mutex_);
  sessions_.emplace(session, std::move(handle));
  return !shut_down_;
}

void SessionSet::remove(Connection* session) {
  std::lock_guard lock(mutex_);
  sessions_.erase(session);
}

void SessionSet::shutdown_all() {
  std::vector<std::shared_ptr<Connection>> open;
  {
    std::lock_guard lock(mutex_);
    shut_down_ = true;
    for (auto& [raw, weak] : sessions_) {
      if (auto session = weak.lock()) open.push_back(std::move(session));
    }
  }
  for (auto& session : open) session->shutdown();
}

size_t SessionSet::size() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

template <typename Stream>
Session<Stream>::Session(Stream&& stream, const Pipeline& pipeline,
                         const ConnectionLimits& limits, SessionSet& sessions)
    : stream_(std::move(stream)),
      idle_timer_(stream_.get_executor()),
      pipeline_(pipeline),
      limits_(limits),
      sessions_(sessions) {}

template <typename Stream>
Session<Stream>::~Session() { sessions_.remove(this); }

template <typename Stream>
void Session<Stream>::start() {
  // A connection accepted while the server stops (the listener closes asynchronously) is closed
  // at once.
  bool open = sessions_.add(this, this->weak_from_this());
  asio::dispatch(stream_.get_executor(), [self = this->shared_from_this(), open] {
    if (!open) return self->close_now();
    if constexpr (kTls) {
      // The handshake is bounded like a header: a client that opens and stalls is dropped.
      self->reading_ = true;
      self->tcp().expires_after(self->limits_.header_timeout);
      self->stream_.async_handshake(
          asio::ssl::stream_base::server,
          [self](beast::error_code ec) { self->on_handshake(ec); });
    } else {
      self->do_wait();
    }
  });
}

template <typename Stream>
void Session<Stream>::on_handshake(beast::error_code ec) {
  reading_ = false;
  if (ec) {
    // Plain HTTP on the TLS port, an old protocol version, a stalled client: nothing to answer.
    log::debug("TLS handshake: {}", ec.message());
    read_closed_ = true;
    closed_ = true;
    tcp().close();
    return;
  }
  do_wait();
}

template <typename Stream>
void Session<Stream>::shutdown() {
  asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
    self->read_closed_ = true;
    self->maybe_close();
  });
}

template <typename Stream>
void Session<Stream>::do_wait() {
  if (read_closed_ || reading_ || closed_) return;
  if (slots_.size() >= kMaxInFlight) return;        // resumed by on_write
  if (buffer_.size() > 0) return do_read_header();  // the next request is already here
  reading_ = waiting_ = true;
  tcp().expires_never();
  if (idle()) arm_idle_timer();
  stream_.async_read_some(buffer_.prepare(kReadChunk),
                          [self = this->shared_from_this()](beast::error_code ec, size_t bytes) {
                            self->on_wait(ec, bytes);
                          });
}

template <typename Stream>
void Session<Stream>::on_wait(beast::error_code ec, size_t bytes) {
  reading_ = waiting_ = false;
  idle_timer_.cancel();
  if (ec) {
    // The client closed (or reset) its side: answer what is in flight, then close.
    read_closed_ = true;
    return maybe_close();
  }
  buffer_.commit(bytes);
  if (read_closed_) return maybe_close();
  do_read_header();
}

template <typename Stream>
void Session<Stream>::do_read_header() {
  parser_.emplace();
  parser_->header_limit(kHeaderLimit);
  parser_->body_limit(limits_.max_request_size);
  reading_ = true;
  tcp().expires_after(limits_.header_timeout);
  http::async_read_header(
      stream_, buffer_, *parser_,
      [self = this->shared_from_this()](beast::error_code ec, size_t) { self->on_read_header(ec); });
}

template <typename Stream>
void Session<Stream>::on_read_header(beast::error_code ec) {
  reading_ = false;
  if (closed_) return;
  header_done_ = Clock::now();
  if (ec == http::error::body_limit) {
    // Refused before the body is read: the rest of this connection's bytes are that body.
    read_closed_ = true;
    return on_request(detail_response(parser_->get(), http::status::payload_too_large,
                                      "Request Entity Too Large"));
  }
  if (ec == http::error::header_limit) {
    read_closed_ = true;
    return answer_now(http::status::request_header_fields_too_large,
                      "Request header fields too large.");
  }
  if (ec == beast::error::timeout) {  // the stream has closed the socket already
    read_closed_ = true;
    return close_now();
  }
  if (ec == http::error::end_of_stream || ec == http::error::partial_message ||
      ec == asio::error::eof || ec == asio::error::operation_aborted ||
      ec == asio::error::connection_reset) {
    // The client went away half way through a request: answers in flight still go out.
    read_closed_ = true;
    return maybe_close();
  }
  if (ec) {
    // h11's answer to what it cannot parse (uvicorn).
    read_closed_ = true;
    return answer_now(http::status::bad_request, "Invalid HTTP request received.");
  }

  auto& request = parser_->get();
  bool expects_continue = beast::iequals(request[http::field::expect], "100-continue");
  if (expects_continue && !parser_->is_done() && idle()) {
    // curl waits a second for this before sending a body. Only sent when no earlier answer is
    // pending, since interim answers may not overtake final ones.
    interim_.emplace(http::status::continue_, request.version());
    writing_ = true;
    tcp().expires_after(limits_.idle_timeout);
    return http::async_write(stream_, *interim_,
                             [self = this->shared_from_this()](beast::error_code ec, size_t) {
                               self->writing_ = false;
                               self->interim_.reset();
                               if (ec) return self->close_now();
                               self->do_read_body();
                             });
  }
  do_read_body();
}

template <typename Stream>
void Session<Stream>::do_read_body() {
  if (parser_->is_done()) return on_request(std::nullopt);
  reading_ = true;
  tcp().expires_after(limits_.body_timeout);
  http::async_read(
      stream_, buffer_, *parser_,
      [self = this->shared_from_this()](beast::error_code ec, size_t) { self->on_read_body(ec); });
}

template <typename Stream>
void Session<Stream>::on_read_body(beast::error_code ec) {
  reading_ = false;
  if (ec == http::error::body_limit) {  // a chunked body that grew too large
    read_closed_ = true;
    return on_request(detail_response(parser_->get(), http::status::payload_too_large,
                                      "Request Entity Too Large"));
  }
  if (ec == beast::error::timeout) {
    read_closed_ = true;
    return close_now();
  }
  if (ec == http::error::partial_message || ec == asio::error::eof ||
      ec == asio::error::operation_aborted || ec == asio::error::connection_reset) {
    read_closed_ = true;  // cut off half way: nobody to answer this one
    return maybe_close();
  }
  if (ec) {  // a malformed body (bad chunk framing)
    read_closed_ = true;
    return answer_now(http::status::bad_request, "Invalid HTTP request received.");
  }
  on_request(std::nullopt);
}

template <typename Stream>
void Session<Stream>::on_request(std::optional<HttpResponse> early) {
  auto exchange = std::make_shared<Exchange>();
  exchange->request = parser_->release();
  parser_.reset();
  exchange->start = header_done_;
  exchange->executor = stream_.get_executor();
  exchange->secure = kTls;
  exchange->early_response = std::move(early);
  std::string_view target = to_std(exchange->request.target());
  auto question = target.find('?');
  exchange->path = percent_decode(target.substr(0, question));
  if (question != std::string_view::npos)
    exchange->query = std::string(target.substr(question + 1));

  Slot slot;
  slot.seq = next_seq_++;
  slot.version = exchange->request.version();
  slot.head = exchange->request.method() == http::verb::head;
  slot.keep_alive = exchange->request.keep_alive() && !exchange->early_response;
  if (!slot.keep_alive) read_closed_ = true;
  slots_.push_back(std::move(slot));
  idle_timer_.cancel();

  uint64_t seq = slots_.back().seq;
  Responder respond = [self = this->shared_from_this(), seq](HttpResponse response) {
    // Handlers post to the strand before answering; dispatch keeps this inline there.
    asio::dispatch(self->stream_.get_executor(),
                   [self, seq, response = std::move(response)]() mutable {
                     self->on_response(seq, std::move(response));
                   });
  };
  pipeline_.handle(std::move(exchange), std::move(respond));
  do_wait();
}

template <typename Stream>
void Session<Stream>::answer_now(http::status status, std::string_view text) {
  Slot slot;
  slot.seq = next_seq_++;
  slot.keep_alive = false;
  HttpResponse response{status, 11};
  response.set(http::field::content_type, "text/plain; charset=utf-8");
  response.body() = std::string(text);
  response.prepare_payload();
  slot.response = std::move(response);
  slots_.push_back(std::move(slot));
  do_write();
}

template <typename Stream>
void Session<Stream>::on_response(uint64_t seq, HttpResponse response) {
  if (closed_ || slots_.empty() || seq < slots_.front().seq) return;
  size_t at = seq - slots_.front().seq;
  if (at >= slots_.size()) return;
  slots_[at].response = std::move(response);
  do_write();
}

template <typename Stream>
void Session<Stream>::do_write() {
  if (writing_ || closed_ || slots_.empty() || !slots_.front().response) return;
  Slot& slot = slots_.front();
  HttpResponse& response = *slot.response;
  response.version(slot.version);
  response.prepare_payload();
  if (slot.head) response.body().clear();  // Content-Length stays that of the GET answer
  bool close_after = !slot.keep_alive || (read_closed_ && slots_.size() == 1 && !reading_);
  response.keep_alive(!close_after);
  writing_ = true;
  tcp().expires_after(limits_.idle_timeout);
  http::async_write(stream_, response,
                    [self = this->shared_from_this(), close_after](beast::error_code ec, size_t) {
                      self->on_write(ec, close_after);
                    });
}

template <typename Stream>
void Session<Stream>::on_write(beast::error_code ec, bool close_after) {
  writing_ = false;
  if (ec) {
    read_closed_ = true;
    return close_now();
  }
  slots_.pop_front();
  if (close_after) {
    read_closed_ = true;
    return close_gracefully();
  }
  if (!slots_.empty()) return do_write();
  if (read_closed_) return maybe_close();
  if (!reading_) return do_wait();  // reading had paused at kMaxInFlight
  if (waiting_) arm_idle_timer();
}

template <typename Stream>
void Session<Stream>::arm_idle_timer() {
  idle_timer_.expires_after(limits_.idle_timeout);
  idle_timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
    if (ec || self->closed_) return;
    if (self->waiting_ && self->idle()) self->close_now();
  });
}

template <typename Stream>
void Session<Stream>::maybe_close() {
  // A request read half way is given up: the server is stopping, or the client went away.
  if (!closed_ && idle()) close_now();
}

template <typename Stream>
void Session<Stream>::close_now() {
  if (closed_) return;
  closed_ = true;
  idle_timer_.cancel();
  beast::error_code ignored;
  tcp().socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  tcp().close();
}

template <typename Stream>
void Session<Stream>::close_gracefully() {
  if (closed_) return;
  closed_ = true;
  idle_timer_.cancel();
  if (reading_) {  // a read still outstanding is abandoned, and with it the draining
    tcp().close();
    return;
  }
  buffer_.clear();
  tcp().expires_after(kLingerTime);
  if constexpr (kTls) {
    // close_notify, then the peer's (or the deadline): the TLS way of not cutting an answer off.
    stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {
      self->tcp().close();
    });
  } else {
    beast::error_code ignored;
    tcp().socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    do_linger();
  }
}

template <typename Stream>
void Session<Stream>::do_linger() {
  stream_.async_read_some(buffer_.prepare(kReadChunk),
                          [self = this->shared_from_this()](beast::error_code ec, size_t) {
                            self->buffer_.clear();
                            if (ec) return self->tcp().close();
                            self->do_linger();
                          });
}

template class Session<PlainStream>;
template class Session<TlsStream>;

}  // namespace ssf::runtime
