#include "zmq_sender.h"

#include <errno.h>

#include <algorithm>

#include <zmq.hpp>

namespace sonde {

struct ZmqSender::Sockets {
  zmq::context_t context{1};
  zmq::socket_t push{context, zmq::socket_type::push};
  std::chrono::milliseconds linger{0};
};

Result<std::unique_ptr<ZmqSender>> ZmqSender::Open(const Endpoint& endpoint,
                                                   const ZmqSenderOptions& options,
                                                   SendStats* stats) {
  // ZeroMQ resolves a host name only when it connects, in the background, so
  // a name that does not exist would look like a broker that is down until
  // the flush times out. Look it up once here (in the family ZeroMQ will
  // use: see ZMQ_IPV6 below) to fail at once when the resolver says so
  // definitely. Any other failure, such as no DNS server reachable yet at
  // boot, is not fatal: ZeroMQ gets the name and resolves it again on each
  // reconnect. Literals need no lookup and skip it.
  if (endpoint.transport == Transport::kZmqTcp && !endpoint.has_numeric_host()) {
    Result<SocketAddress> resolved = ResolveTcp(endpoint);
    if (!resolved && resolved.error().IsNotFound()) return resolved.error();
  }
  const std::string address = endpoint.ZmqAddress();
  try {
    auto sockets = std::make_unique<Sockets>();
    sockets->linger = options.linger;
    // Keep messages out of the queue of a peer that is not connected, so that
    // with the broker down a send fails at once (EAGAIN) instead of piling up.
    sockets->push.set(zmq::sockopt::immediate, 1);
    sockets->push.set(zmq::sockopt::sndhwm, options.send_hwm);
    sockets->push.set(zmq::sockopt::linger, static_cast<int>(options.linger.count()));
    // Only for IPv6 literals: names resolve in IPv4, as ResolveTcp checks.
    if (endpoint.is_ipv6()) sockets->push.set(zmq::sockopt::ipv6, 1);
    sockets->push.connect(address);
    return std::unique_ptr<ZmqSender>(
        new ZmqSender(std::move(sockets), endpoint.ToString(), stats));
  } catch (const zmq::error_t& e) {
    std::string msg = "zeromq connect to '" + address + "': " + e.what();
    if (e.num() == EINVAL || e.num() == EPROTONOSUPPORT || e.num() == ENODEV) {
      return Status::InvalidArgument(msg);
    }
    return Status::IOError(msg);
  }
}

ZmqSender::ZmqSender(std::unique_ptr<Sockets> sockets, std::string endpoint, SendStats* stats)
    : sockets_(std::move(sockets)), endpoint_(std::move(endpoint)), stats_(stats) {}

ZmqSender::~ZmqSender() {
  // Close() normally ran; if not, do not wait on a peer that may be gone.
  Close(SendClock::now());
}

int ZmqSender::TrySend(std::string_view message) {
  try {
    zmq::send_result_t sent = sockets_->push.send(zmq::const_buffer(message.data(), message.size()),
                                                  zmq::send_flags::dontwait);
    return sent ? 0 : EAGAIN;
  } catch (const zmq::error_t& e) {
    return e.num() != 0 ? e.num() : EIO;
  }
}

bool ZmqSender::WaitWritable(SendDeadline deadline) {
  try {
    for (;;) {
      auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - SendClock::now());
      if (left.count() <= 0) return false;
      zmq::pollitem_t item{sockets_->push.handle(), 0, ZMQ_POLLOUT, 0};
      if (zmq::poll(&item, 1, left) > 0 && (item.revents & ZMQ_POLLOUT)) return true;
    }
  } catch (const zmq::error_t&) {
    return false;  // EINTR or a closed context: the send is dropped and counted.
  }
}

void ZmqSender::Send(std::string_view message, uint32_t samples, SendDeadline deadline) {
  if (!sockets_) {
    stats_->Failed(samples, ENOTSOCK);
    return;
  }
  for (;;) {
    int err = TrySend(message);
    if (err == 0) {
      stats_->Sent(samples);
      return;
    }
    // EAGAIN: no peer connected (ZMQ_IMMEDIATE) or ZMQ_SNDHWM reached. Wait
    // for room only while the caller's deadline allows; else drop.
    if (err != EAGAIN || !WaitWritable(deadline)) {
      stats_->Failed(samples, err);
      return;
    }
  }
}

void ZmqSender::EndRound(SendDeadline) {}

std::string ZmqSender::DescribeError(int err) const {
  if (err == EAGAIN) {
    return "no ZeroMQ peer accepted the messages on " + endpoint_ +
           " (is sonde-broker running and listening there?)";
  }
  return std::string(zmq_strerror(err)) + " sending to " + endpoint_;
}

void ZmqSender::Close(SendDeadline deadline) {
  if (!sockets_) return;
  auto left = std::chrono::floor<std::chrono::milliseconds>(deadline - SendClock::now());
  auto linger = std::clamp(left, std::chrono::milliseconds(0), sockets_->linger);
  try {
    // Give ZeroMQ what is left of the close timeout to deliver queued
    // messages; context termination blocks for at most that long.
    sockets_->push.set(zmq::sockopt::linger, static_cast<int>(linger.count()));
    sockets_->push.close();
    sockets_->context.close();
  } catch (const zmq::error_t&) {
    // Nothing more can be delivered; the counters already say what was sent.
  }
  sockets_.reset();
}

}  // namespace sonde
