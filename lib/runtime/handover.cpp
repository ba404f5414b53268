#include "runtime/handover.h"

#include <linux/filter.h>
#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "core/core.h"

namespace ssf::runtime::handover {

namespace {

constexpr std::string_view kListenState = "0A";  // TCP_LISTEN, as /proc/net/tcp prints it

// An address as /proc/net/tcp prints it: each 32-bit word of the network-order bytes, read as
// a host-order integer, in upper-case hex ("0100007F" for 127.0.0.1 on x86).
std::string proc_address(const boost::asio::ip::address& address) {
  std::string out;
  auto append = [&out](const unsigned char* bytes, size_t size) {
    for (size_t i = 0; i < size; i += 4) {
      uint32_t word = 0;
      std::memcpy(&word, bytes + i, 4);
      out += fmt::format("{:08X}", word);
    }
  };
  if (address.is_v4()) {
    auto bytes = address.to_v4().to_bytes();
    append(bytes.data(), bytes.size());
  } else {
    auto bytes = address.to_v6().to_bytes();
    append(bytes.data(), bytes.size());
  }
  return out;
}

}  // namespace

size_t listeners_on(const boost::asio::ip::tcp::endpoint& endpoint) {
  const char* table = endpoint.address().is_v4() ? "/proc/net/tcp" : "/proc/net/tcp6";
  std::ifstream in(table);
  if (!in) return 0;
  const std::string local =
      fmt::format("{}:{:04X}", proc_address(endpoint.address()), endpoint.port());
  size_t count = 0;
  std::string line;
  std::getline(in, line);  // the header
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string slot, local_address, remote_address, state;
    if (fields >> slot >> local_address >> remote_address >> state && local_address == local &&
        state == kListenState) {
      ++count;
    }
  }
  return count;
}

bool steer_new_connections(int fd, size_t index) {
  std::array<sock_filter, 1> code{{{BPF_RET | BPF_K, 0, 0, static_cast<uint32_t>(index)}}};
  sock_fprog program{static_cast<unsigned short>(code.size()), code.data()};
  if (::setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &program, sizeof program) != 0) {
    log::debug("SO_ATTACH_REUSEPORT_CBPF: {}: new connections are spread by the kernel's hash",
               std::strerror(errno));
    return false;
  }
  return true;
}

}  // namespace ssf::runtime::handover
