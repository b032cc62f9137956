// UDP transport: a connected, non-blocking datagram socket. The only file of
// the poller that makes socket system calls itself.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "batch_transport.h"
#include "sonde/wire.h"

namespace sonde::poller {
namespace {

class UdpTransport final : public BatchTransport {
 public:
  explicit UdpTransport(int fd) : fd_(fd) {}
  ~UdpTransport() override { ::close(fd_); }

  bool Send(std::string_view message) override {
    ssize_t n = ::send(fd_, message.data(), message.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n == static_cast<ssize_t>(message.size())) {
      ++counters_.messages_sent;
      return true;
    }
    // ECONNREFUSED reports an earlier datagram nobody received; this one may
    // be lost too. Either way: count, never block, never fail the poll.
    ++counters_.messages_dropped;
    counters_.last_errno = n < 0 ? errno : EMSGSIZE;
    return false;
  }

  size_t max_message_bytes() const override { return kDefaultUdpBatchBytes; }

 private:
  int fd_;
};

}  // namespace

Result<std::unique_ptr<BatchTransport>> OpenUdpTransport(const Endpoint& endpoint) {
  Result<SocketAddress> address = ResolveUdp(endpoint);
  if (!address) return address.error();
  int fd = ::socket(address->family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return Status::IOError(
        fmt::format("udp socket for {}: {}", endpoint.ToString(), std::strerror(errno)));
  }
  if (::connect(fd, address->get(), address->length) < 0) {
    const int err = errno;
    ::close(fd);
    return Status::IOError(
        fmt::format("udp connect to {}: {}", endpoint.ToString(), std::strerror(err)));
  }
  return std::unique_ptr<BatchTransport>(new UdpTransport(fd));
}

Result<std::unique_ptr<BatchTransport>> OpenBatchTransport(const std::string& uri) {
  Result<Endpoint> endpoint = ParseEndpoint(uri, EndpointRole::kConnect);
  if (!endpoint) return endpoint.error();
  if (endpoint->is_zmq()) return OpenZmqTransport(*endpoint);
  return OpenUdpTransport(*endpoint);
}

}  // namespace sonde::poller
