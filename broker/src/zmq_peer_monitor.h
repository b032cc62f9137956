// ZmqPeerMonitor: counts the connections a bound ZeroMQ socket accepts and
// loses, from libzmq's socket monitor (zmq_socket_monitor), read on the
// loop by common's ZmqWatcher. It exists because ZeroMQ drops some input
// without the socket's owner ever seeing it: a message over ZMQ_MAXMSGSIZE
// makes libzmq close the sender's connection, and libzmq 4.3 reports that
// only as an ordinary ZMQ_EVENT_DISCONNECTED, the same event as a peer
// that closed on purpose. Counting disconnects is the record we can have.
//
// Events used (libzmq 4.3, monitor format v1: a 6-byte frame with the
// event and its value, then the endpoint):
//   ZMQ_EVENT_ACCEPTED               peers += 1
//   ZMQ_EVENT_DISCONNECTED           peers -= 1, disconnects += 1
//   ZMQ_EVENT_HANDSHAKE_FAILED_*     handshake_failures += 1: a client that
//                                    does not speak ZMTP, or any connection
//                                    closed before its handshake completed
//                                    (libzmq then reports the disconnect too)
//
// Ownership: the counters, the log and the monitored socket are not owned
// and must outlive the monitor; the monitor owns its PAIR socket.
// Thread-safety: loop thread only (as the monitored socket).
#ifndef SONDE_BROKER_ZMQ_PEER_MONITOR_H_
#define SONDE_BROKER_ZMQ_PEER_MONITOR_H_

#include <spdlog/logger.h>
#include <uv.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <zmq.hpp>

#include "sonde/counters.h"
#include "sonde/log.h"
#include "sonde/status.h"
#include "sonde/zmq_watcher.h"

namespace sonde::broker {

// Where the monitor counts; every pointer must be set.
struct PeerCounters {
  Gauge* peers;                 // Connections open now, handshaking or not.
  Counter* disconnects;         // Connections lost, for any reason.
  Counter* handshake_failures;  // Connections that ended before or in the handshake.
};

class ZmqPeerMonitor {
 public:
  // `name` starts the log events ("pull" -> event=pull_peer_disconnected);
  // `max_message_bytes` is quoted in the disconnect line, as the one limit
  // whose breach shows up only as a disconnect.
  ZmqPeerMonitor(uv_loop_t* loop, PeerCounters counters, RateLimitedLog* log, std::string name,
                 size_t max_message_bytes);
  ~ZmqPeerMonitor();  // Detach()es; the watcher must be closed first.
  ZmqPeerMonitor(const ZmqPeerMonitor&) = delete;
  ZmqPeerMonitor& operator=(const ZmqPeerMonitor&) = delete;

  // Starts monitoring `socket` (created in `context`) and connects the
  // monitor's reader. Call before the socket binds, so that no peer is
  // missed. Returns IOError when ZeroMQ refuses.
  Status Attach(zmq::context_t* context, zmq::socket_t* socket);

  // Starts counting events on the loop. Returns the watcher's error.
  // REQUIRES: Attach() succeeded.
  Status Start(std::shared_ptr<spdlog::logger> logger);

  // Stops reading and closes the watcher's handles (the loop finishes).
  void Close();

  // Stops the monitor and closes its reader. Idempotent.
  // REQUIRES: the monitored socket is still open; Close() was called if
  // Start() was.
  void Detach();

 private:
  void OnEvent(std::span<zmq::message_t> parts);
  void OnDisconnected();
  void OnHandshakeFailed(uint16_t event, uint32_t value);

  uv_loop_t* loop_;
  PeerCounters counters_;
  RateLimitedLog* log_;
  std::string name_;
  std::string disconnected_event_;      // "<name>_peer_disconnected"
  std::string handshake_failed_event_;  // "<name>_handshake_failed"
  size_t max_message_bytes_;
  zmq::socket_t* monitored_ = nullptr;
  std::unique_ptr<zmq::socket_t> reader_;  // PAIR on the monitor's inproc endpoint.
  std::unique_ptr<ZmqWatcher> watcher_;
};

}  // namespace sonde::broker

#endif  // SONDE_BROKER_ZMQ_PEER_MONITOR_H_
