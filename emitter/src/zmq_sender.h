// Sends messages on a ZeroMQ PUSH socket, never blocking the emitter for
// longer than a deadline: ZMQ_IMMEDIATE keeps messages out of the queue of a
// peer that is not connected, sends are non-blocking, and EAGAIN (no peer, or
// ZMQ_SNDHWM reached because the broker is slow) drops the message and counts
// it. This is the one file that calls cppzmq: zmq::error_t stops here.
//
// Thread-safety: used by the emitter's sender thread only.
#ifndef SONDE_EMITTER_SRC_ZMQ_SENDER_H_
#define SONDE_EMITTER_SRC_ZMQ_SENDER_H_

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "sender.h"
#include "sonde/endpoint.h"
#include "sonde/status.h"

namespace sonde {

struct ZmqSenderOptions {
  int send_hwm = 1000;                     // ZMQ_SNDHWM, in messages.
  std::chrono::milliseconds linger{1000};  // ZMQ_LINGER at close, at most.
};

class ZmqSender final : public Sender {
 public:
  // Creates a context and a PUSH socket and starts connecting it (ZeroMQ
  // connects in the background, so a peer that is down is not an error).
  // Returns InvalidArgument when ZeroMQ rejects the address, IOError for
  // other ZeroMQ failures. `stats` must outlive the sender.
  static Result<std::unique_ptr<ZmqSender>> Open(const Endpoint& endpoint,
                                                 const ZmqSenderOptions& options, SendStats* stats);
  ~ZmqSender() override;

  void Send(std::string_view message, uint32_t samples, SendDeadline deadline) override;
  void EndRound(SendDeadline deadline) override;
  std::string DescribeError(int err) const override;
  void Close(SendDeadline deadline) override;

 private:
  struct Sockets;  // cppzmq types stay in zmq_sender.cc.

  ZmqSender(std::unique_ptr<Sockets> sockets, std::string endpoint, SendStats* stats);
  // Tries once; returns 0 when sent, else the errno.
  int TrySend(std::string_view message);
  // Waits until the socket can take a message; false once `deadline` passes.
  bool WaitWritable(SendDeadline deadline);

  std::unique_ptr<Sockets> sockets_;
  const std::string endpoint_;
  SendStats* const stats_;
};

}  // namespace sonde

#endif  // SONDE_EMITTER_SRC_ZMQ_SENDER_H_
