// Validate-and-forward: the broker's per-message work. A message is
// validated whole with ValidateBatch; a valid one goes unchanged into its
// source's bundle of the current burst (BusBundler), a malformed one is
// counted by reason and logged rate-limited. The ingest that delivered a
// burst ends it with Flush(), which publishes the bundles. Nothing here
// allocates, logs or makes a syscall per valid message.
//
// Thread-safety: used by the loop thread only.
#ifndef SONDE_BROKER_RELAY_H_
#define SONDE_BROKER_RELAY_H_

#include <sys/socket.h>
#include <zmq.h>

#include <cstddef>
#include <string_view>

#include "broker_metrics.h"
#include "bus_bundler.h"
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
  // REQUIRES: `message` stays valid until the next Flush().
  void OnDatagram(std::string_view message, const sockaddr* peer);

  // One single-frame PULL message. A valid one's content moves into the
  // bundle; either way the caller still owns (and may reuse) *message.
  void OnPullMessage(zmq_msg_t* message);

  // Ends the current burst: publishes what it brought, one publication per
  // source. Cheap when there is nothing pending.
  void Flush() { bundler_.Flush(); }

  // A multi-frame PULL message (dropped: a batch is one frame).
  void OnPullMultipart(size_t frames, size_t bytes);

 private:
  // Counts `message` as received on `ingest`. Returns true with *source set
  // when it is valid; otherwise counts and logs why and returns false.
  bool Accept(Ingest ingest, std::string_view message, const sockaddr* peer,
              std::string_view* source);
  // The burst's receive time: read once, at its first valid message.
  int64_t BurstMs() { return bundler_.empty() ? (burst_ms_ = clock_->WallMs()) : burst_ms_; }

  BrokerMetrics* metrics_;
  RateLimitedLog* log_;
  size_t max_message_bytes_;
  const Clock* clock_;
  BusBundler bundler_;
  int64_t burst_ms_ = 0;
};

}  // namespace sonde::broker

#endif  // SONDE_BROKER_RELAY_H_
