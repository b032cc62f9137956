// BatchTransport: hands finished wire messages to the broker without
// blocking the poller's loop: UDP (one datagram per message) or ZeroMQ PUSH
// over tcp:// or ipc://. A message that cannot be sent at once is dropped and
// counted.
//
// Why not sonde::Emitter: an Emitter has one source for all its samples, and
// the poller's samples need source = target for thousands of targets (see
// docs/poller.md, "Samples"). This is the minimal private piece until the
// emitter can record on behalf of another source.
//
// Thread-safety: one thread (the poller's loop).
#ifndef SONDE_POLLER_SRC_BATCH_TRANSPORT_H_
#define SONDE_POLLER_SRC_BATCH_TRANSPORT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "sonde/endpoint.h"
#include "sonde/status.h"

namespace sonde::poller {

struct TransportCounters {
  uint64_t messages_sent = 0;
  uint64_t messages_dropped = 0;  // Socket full, no peer, or a send error.
  int last_errno = 0;
};

class BatchTransport {
 public:
  virtual ~BatchTransport() = default;
  // Sends one message; false (counted) when it was dropped.
  virtual bool Send(std::string_view message) = 0;
  // The largest message this transport sends.
  virtual size_t max_message_bytes() const = 0;
  const TransportCounters& counters() const { return counters_; }

 protected:
  TransportCounters counters_;
};

// Opens the transport for `uri` (sonde/endpoint.h). Returns InvalidArgument
// for a bad URI, NotFound when a UDP host does not resolve, IOError when the
// socket cannot be made.
Result<std::unique_ptr<BatchTransport>> OpenBatchTransport(const std::string& uri);

// The two implementations (udp_transport.cc, zmq_transport.cc).
Result<std::unique_ptr<BatchTransport>> OpenUdpTransport(const Endpoint& endpoint);
Result<std::unique_ptr<BatchTransport>> OpenZmqTransport(const Endpoint& endpoint);

}  // namespace sonde::poller

#endif  // SONDE_POLLER_SRC_BATCH_TRANSPORT_H_
