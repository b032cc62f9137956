// Test peers for the emitter: a UDP socket and a ZeroMQ PULL socket bound on
// loopback to a free port, which receive messages and decode them with the
// one codec. Header-only; each test binary includes what it uses.
#ifndef SONDE_TESTS_EMITTER_RECEIVERS_H_
#define SONDE_TESTS_EMITTER_RECEIVERS_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "sonde/wire.h"

namespace sonde::testing {

// A decoded message, owned.
struct Received {
  std::string bytes;
  std::string source;
  int64_t timestamp_ms = 0;
  std::vector<Sample> samples;  // Batch tags merged in (ToSamples).
  Tags batch_tags;
};

inline Received Decode(std::string bytes) {
  Received r;
  r.bytes = std::move(bytes);
  BatchView view;
  WireError err = DecodeBatch(r.bytes, &view);
  if (err != WireError::kOk) throw std::runtime_error(std::string("decode: ") + WireErrorName(err));
  r.source = std::string(view.source);
  r.timestamp_ms = view.timestamp_ms;
  for (const TagView& t : view.tags)
    r.batch_tags.push_back({std::string(t.key), std::string(t.value)});
  r.samples = ToSamples(view);
  return r;
}

// A UDP socket bound on 127.0.0.1 to a free port.
class UdpReceiver {
 public:
  UdpReceiver() {
    fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error("socket");
    int rcvbuf = 8 << 20;
    // FORCE works as root and lifts rmem_max; else take what is granted.
    if (setsockopt(fd_, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) != 0) {
      setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      throw std::runtime_error("bind");
    }
    socklen_t len = sizeof(addr);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~UdpReceiver() { close(fd_); }
  UdpReceiver(const UdpReceiver&) = delete;
  UdpReceiver& operator=(const UdpReceiver&) = delete;

  uint16_t port() const { return port_; }
  std::string endpoint() const { return "udp://127.0.0.1:" + std::to_string(port_); }

  // One datagram, or nullopt when none arrives within `timeout`.
  std::optional<std::string> Receive(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
    std::string buf(65536, '\0');
    ssize_t n = recv(fd_, buf.data(), buf.size(), 0);
    if (n < 0) return std::nullopt;
    buf.resize(static_cast<size_t>(n));
    return buf;
  }

  // Receives and decodes messages until they hold `samples` samples in all,
  // or nothing arrives for `idle`.
  std::vector<Received> ReceiveSamples(size_t samples,
                                       std::chrono::milliseconds idle = std::chrono::seconds(10)) {
    std::vector<Received> out;
    size_t got = 0;
    while (got < samples) {
      std::optional<std::string> m = Receive(idle);
      if (!m) break;
      out.push_back(Decode(std::move(*m)));
      got += out.back().samples.size();
    }
    return out;
  }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

// A port on 127.0.0.1 that nothing listens on (bound, read back, released).
inline uint16_t UnusedPort(int type) {
  int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// A ZeroMQ PULL socket bound to `address` ("tcp://127.0.0.1:*" by default).
class ZmqPull {
 public:
  explicit ZmqPull(const std::string& address = "tcp://127.0.0.1:*")
      : socket_(context_, zmq::socket_type::pull) {
    socket_.set(zmq::sockopt::linger, 0);
    socket_.bind(address);
    endpoint_ = socket_.get(zmq::sockopt::last_endpoint);
  }

  // What the emitter connects to, e.g. "tcp://127.0.0.1:41234".
  const std::string& endpoint() const { return endpoint_; }

  std::optional<std::string> Receive(std::chrono::milliseconds timeout) {
    zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, timeout) <= 0) return std::nullopt;
    zmq::message_t msg;
    if (!socket_.recv(msg, zmq::recv_flags::dontwait)) return std::nullopt;
    return msg.to_string();
  }

  std::vector<Received> ReceiveSamples(size_t samples,
                                       std::chrono::milliseconds idle = std::chrono::seconds(10)) {
    std::vector<Received> out;
    size_t got = 0;
    while (got < samples) {
      std::optional<std::string> m = Receive(idle);
      if (!m) break;
      out.push_back(Decode(std::move(*m)));
      got += out.back().samples.size();
    }
    return out;
  }

 private:
  zmq::context_t context_{1};
  zmq::socket_t socket_;
  std::string endpoint_;
};

inline size_t CountSamples(const std::vector<Received>& messages) {
  size_t n = 0;
  for (const Received& r : messages) n += r.samples.size();
  return n;
}

}  // namespace sonde::testing

#endif  // SONDE_TESTS_EMITTER_RECEIVERS_H_
