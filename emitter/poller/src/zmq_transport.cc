// ZeroMQ PUSH transport (tcp:// and ipc://). The poller's one caller of
// cppzmq: every zmq::error_t is caught here and becomes a Status or a count.
#include <fmt/format.h>

#include <zmq.hpp>

#include "batch_transport.h"
#include "sonde/wire.h"

namespace sonde::poller {
namespace {

// Messages ZeroMQ holds while the broker is slow or away: two per target for
// a 10,000-target round, a few hundred bytes each.
constexpr int kSendHwm = 50000;
// How long closing waits for ZeroMQ to deliver what it holds.
constexpr int kLingerMs = 1000;

class ZmqTransport final : public BatchTransport {
 public:
  ZmqTransport() : context_(1), socket_(context_, zmq::socket_type::push) {}
  ~ZmqTransport() override = default;

  Status Connect(const std::string& address) {
    try {
      socket_.set(zmq::sockopt::sndhwm, kSendHwm);
      socket_.set(zmq::sockopt::linger, kLingerMs);
      socket_.connect(address);
    } catch (const zmq::error_t& e) {
      return Status::IOError(fmt::format("zeromq connect to '{}': {}", address, e.what()));
    }
    return Status::OK();
  }

  bool Send(std::string_view message) override {
    try {
      zmq::send_result_t sent = socket_.send(zmq::const_buffer(message.data(), message.size()),
                                             zmq::send_flags::dontwait);
      if (sent) {
        ++counters_.messages_sent;
        return true;
      }
      counters_.last_errno = EAGAIN;  // High-water mark reached: backpressure.
    } catch (const zmq::error_t& e) {
      counters_.last_errno = e.num();
    }
    ++counters_.messages_dropped;
    return false;
  }

  size_t max_message_bytes() const override { return kMaxMessageBytes; }

 private:
  zmq::context_t context_;
  zmq::socket_t socket_;
};

}  // namespace

Result<std::unique_ptr<BatchTransport>> OpenZmqTransport(const Endpoint& endpoint) {
  std::unique_ptr<ZmqTransport> t;
  try {
    t = std::make_unique<ZmqTransport>();
  } catch (const zmq::error_t& e) {
    return Status::IOError(fmt::format("zeromq socket: {}", e.what()));
  }
  SONDE_RETURN_IF_ERROR(t->Connect(endpoint.ZmqAddress()));
  return std::unique_ptr<BatchTransport>(std::move(t));
}

}  // namespace sonde::poller
