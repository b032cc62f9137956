// Validate-and-forward: the broker's per-message work. A message is
// validated whole with ValidateBatch; a valid one is published unchanged, a
// malformed one is counted by reason and logged rate-limited. Nothing here
// allocates, logs or makes a syscall per valid message (ZeroMQ copies a UDP
// payload into its own message; PULL payloads are moved, not copied).
//
// Thread-safety: used by the loop thread only.
#ifndef SONDE_BROKER_RELAY_H_
#define SONDE_BROKER_RELAY_H_

#include <sys/socket.h>
#include <zmq.h>

#include <cstddef>
#include <string_view>

#include "broker_metrics.h"
#include "sonde/clock.h"
#include "sonde/log.h"
#include "zmq_publisher.h"

namespace sonde::broker {

class Relay {
 public:
  // Nothing is owned; everything must outlive the Relay.
  Relay(ZmqPublisher* publisher, BrokerMetrics* metrics, RateLimitedLog* log,
        size_t max_message_bytes, const Clock* clock);

  // One UDP datagram from `peer` (for the log only; may be null).
  void OnDatagram(std::string_view message, const sockaddr* peer);

  // One single-frame PULL message. When valid its content moves to the PUB
  // socket; either way the caller still owns (and may reuse) *message.
  void OnPullMessage(zmq_msg_t* message);

  // A multi-frame PULL message (dropped: a batch is one frame).
  void OnPullMultipart(size_t frames, size_t bytes);

 private:
  // Counts `message` as received on `ingest`. Returns true with *source set
  // when it is valid; otherwise counts and logs why and returns false.
  bool Accept(Ingest ingest, std::string_view message, const sockaddr* peer,
              std::string_view* source);

  ZmqPublisher* publisher_;
  BrokerMetrics* metrics_;
  RateLimitedLog* log_;
  size_t max_message_bytes_;
  const Clock* clock_;
};

}  // namespace sonde::broker

#endif  // SONDE_BROKER_RELAY_H_
