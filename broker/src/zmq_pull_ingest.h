// ZeroMQ PULL ingest: one message per single-frame ZeroMQ message, delivered
// on the loop by common's ZmqWatcher (which drains the edge-triggered
// ZMQ_FD in bounded batches). The adapter for cppzmq's PULL side: its
// exceptions are caught here and become Status. A ZmqPeerMonitor on the
// socket counts what ZeroMQ drops before the broker sees it (a message over
// ZMQ_MAXMSGSIZE disconnects its sender).
//
// Thread-safety: used by the loop thread only.
#ifndef SONDE_BROKER_ZMQ_PULL_INGEST_H_
#define SONDE_BROKER_ZMQ_PULL_INGEST_H_

#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <zmq.hpp>

#include "broker_metrics.h"
#include "relay.h"
#include "sonde/log.h"
#include "sonde/status.h"
#include "sonde/zmq_watcher.h"
#include "zmq_peer_monitor.h"

namespace sonde::broker {

class ZmqPullIngest {
 public:
  // Nothing is owned; everything must outlive the ZmqPullIngest. `log`
  // takes the rate-limited lines about peers' connections.
  ZmqPullIngest(uv_loop_t* loop, Relay* relay, BrokerMetrics* metrics, RateLimitedLog* log);
  ~ZmqPullIngest();  // Closes the socket; the watcher must be closed first.
  ZmqPullIngest(const ZmqPullIngest&) = delete;
  ZmqPullIngest& operator=(const ZmqPullIngest&) = delete;

  // Creates the PULL socket in `context` and binds `endpoint` with
  // ZMQ_RCVHWM = hwm and ZMQ_MAXMSGSIZE = max_message_bytes (ZeroMQ drops
  // a peer's connection when it sends a bigger message), monitored so that
  // such disconnects are counted. Returns IOError naming the endpoint when
  // ZeroMQ refuses.
  Status Bind(zmq::context_t* context, const std::string& endpoint, int hwm,
              size_t max_message_bytes);

  // Starts delivering messages to the relay, at most `max_batch` per loop
  // iteration, and counting peers' connections. Returns a watcher's error.
  Status Start(size_t max_batch, std::shared_ptr<spdlog::logger> logger);

  // Adds multipart messages the watcher dropped since the last call to the
  // metrics (the watcher counts those with more parts than it reads).
  void SyncStats();

  // Stops delivery and closes the watchers' handles (the loop finishes).
  void Close();
  // Stops the monitor and closes the socket (linger 0).
  // REQUIRES: Close() was called.
  void CloseSocket();

  bool bound() const { return socket_ != nullptr; }
  // The bound endpoint with the real port.
  const std::string& endpoint() const { return endpoint_; }

 private:
  void OnMessage(std::span<zmq::message_t> parts);

  uv_loop_t* loop_;
  Relay* relay_;
  BrokerMetrics* metrics_;
  RateLimitedLog* log_;
  std::unique_ptr<zmq::socket_t> socket_;
  std::unique_ptr<ZmqPeerMonitor> monitor_;  // Set while socket_ is.
  std::unique_ptr<ZmqWatcher> watcher_;
  std::string endpoint_;
  uint64_t dropped_parts_seen_ = 0;
};

}  // namespace sonde::broker

#endif  // SONDE_BROKER_ZMQ_PULL_INGEST_H_
