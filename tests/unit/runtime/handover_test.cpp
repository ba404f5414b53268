// The handover helpers against the kernel itself: /proc/net/tcp's listeners, and the reuseport
// steering program, on loopback sockets.

#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "runtime/handover.h"

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace ssf::runtime;

namespace {

using reuse_port = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

tcp::acceptor listening_on(asio::io_context& io, uint16_t port) {
  tcp::acceptor a(io);
  a.open(tcp::v4());
  a.set_option(reuse_port(true));
  a.bind(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  a.listen();
  return a;
}

}  // namespace

TEST_CASE("listeners_on counts the sockets listening on an address and port") {
  asio::io_context io;
  tcp::acceptor first = listening_on(io, 0);
  const tcp::endpoint endpoint = first.local_endpoint();
  CHECK(handover::listeners_on(endpoint) == 1);
  tcp::acceptor second = listening_on(io, endpoint.port());
  CHECK(handover::listeners_on(endpoint) == 2);
  // Another address, the same port: not the same group.
  CHECK(handover::listeners_on(
            tcp::endpoint(asio::ip::make_address("127.0.0.2"), endpoint.port())) == 0);
  second.close();
  CHECK(handover::listeners_on(endpoint) == 1);
}

TEST_CASE("steer_new_connections sends every new connection to the chosen socket") {
  asio::io_context io;
  tcp::acceptor old_server = listening_on(io, 0);
  const tcp::endpoint endpoint = old_server.local_endpoint();
  tcp::acceptor new_server = listening_on(io, endpoint.port());
  REQUIRE(handover::steer_new_connections(new_server.native_handle(), 1));
  old_server.non_blocking(true);
  new_server.non_blocking(true);
  std::vector<tcp::socket> clients;
  for (int i = 0; i < 20; ++i) {
    clients.emplace_back(io);
    clients.back().connect(endpoint);
  }
  int to_new = 0;
  int to_old = 0;
  for (int i = 0; i < 40; ++i) {
    boost::system::error_code ec;
    tcp::socket s(io);
    new_server.accept(s, ec);
    if (!ec) ++to_new;
    tcp::socket t(io);
    old_server.accept(t, ec);
    if (!ec) ++to_old;
  }
  CHECK(to_new == 20);
  CHECK(to_old == 0);
}
