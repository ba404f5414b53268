#pragma once
// Internal to runtime: handing a port over from a running server to the next version without
// resetting a connection (deploy's overlap, lib/deploy).
//
// Both servers bind the port with SO_REUSEPORT; the kernel spreads new connections over the
// sockets of the group. When the old server closes its socket, a connection whose handshake it
// had begun (SYN received, final ACK not yet) is reset, whatever the old server does: its accept
// queue can be drained, its half-open handshakes cannot (the host's net.ipv4.tcp_migrate_req=1
// would move them, but a container cannot set it). So the new server, as it starts listening,
// steers every new connection of the group to itself with a one-instruction classic BPF program
// (SO_ATTACH_REUSEPORT_CBPF): the old one then gets no new handshakes and closes with none
// half-open.
//
// The program returns the new socket's index in the group, which is the number of sockets that
// listened before it (the kernel appends each socket that starts listening). When the old
// socket leaves, that index is past the end of the group and the kernel falls back to its hash:
// the program then does nothing, and the next version replaces it.

#include <boost/asio/ip/tcp.hpp>
#include <cstddef>

namespace ssf::runtime::handover {

// How many sockets listen on `endpoint` (same address and port) in this network namespace,
// from /proc/net/tcp or tcp6; 0 when it cannot tell.
size_t listeners_on(const boost::asio::ip::tcp::endpoint& endpoint);

// Steers the new connections of `fd`'s SO_REUSEPORT group to the socket at `index`. Best
// effort: false (and a debug line) when the kernel refuses; connections are then spread as
// before.
bool steer_new_connections(int fd, size_t index);

}  // namespace ssf::runtime::handover
