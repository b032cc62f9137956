// The broker's PUB socket: publishes validated messages, one or a bundle
// from one source at a time, as three frames (topic, meta, payload;
// docs/wire-format.md, "Bus") with a per-broker sequence number. The adapter for libzmq's PUB side:
// no exception, and every refusal is counted rather than reported per call.
//
// Thread-safety: used by the loop thread only.
#ifndef SONDE_BROKER_ZMQ_PUBLISHER_H_
#define SONDE_BROKER_ZMQ_PUBLISHER_H_

#include <zmq.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "broker_metrics.h"
#include "sonde/status.h"
#include "sonde/wire.h"

namespace sonde::broker {

class ZmqPublisher {
 public:
  // `metrics` is not owned and must outlive the publisher.
  // REQUIRES: broker_id.size() <= kMaxBrokerIdBytes.
  ZmqPublisher(std::string broker_id, BrokerMetrics* metrics);
  ~ZmqPublisher();  // Close().
  ZmqPublisher(const ZmqPublisher&) = delete;
  ZmqPublisher& operator=(const ZmqPublisher&) = delete;

  // Creates the PUB socket in `context` and binds `endpoint`. Returns
  // IOError naming the endpoint when ZeroMQ refuses (address in use,
  // unknown protocol, ...).
  Status Bind(void* context, const std::string& endpoint, int hwm, int linger_ms);

  // The bound endpoint, with the real port.
  const std::string& endpoint() const { return endpoint_; }
  uint64_t sequence() const { return sequence_; }

  // Publishes a copy of `payload`, one validated message from `source`.
  // Returns false, counting publish_errors, when ZeroMQ refused it.
  bool Publish(std::string_view source, std::string_view payload, int64_t received_ms);

  // Publishes `payload`, `count` validated messages from `source` back to
  // back, without copying it: ZeroMQ takes its content and leaves *payload
  // empty (the caller still closes it). `source` may point into *payload
  // (the topic frame is written first).
  bool PublishBundle(std::string_view source, zmq_msg_t* payload, uint32_t count,
                     int64_t received_ms);

  // Closes the socket; queued publications get the linger time to leave.
  void Close();

 private:
  // Sends the topic and meta frames; returns the sequence used, or 0.
  uint64_t SendHeader(std::string_view source, int64_t received_ms, uint32_t count);
  void Published(size_t payload_bytes, uint32_t count, uint64_t sequence, bool ok);

  std::string broker_id_;
  BrokerMetrics* metrics_;
  void* socket_ = nullptr;
  std::string endpoint_;
  uint64_t sequence_ = 0;
  char topic_[kMaxSourceBytes + 1];
  char meta_[kMaxBrokerIdBytes + 32];
};

}  // namespace sonde::broker

#endif  // SONDE_BROKER_ZMQ_PUBLISHER_H_
