// sonde-broker as a library: UDP and ZeroMQ PULL ingest, validation with the
// one codec, and fan-out on ZeroMQ PUB (docs/broker.md).
//
// Every message that arrives is validated whole with ValidateBatch and, when
// valid, republished unchanged; the valid messages of one receive burst
// travel as one three-frame publication per source (topic, meta, payload;
// docs/wire-format.md, "Bus"). Malformed messages are dropped and
// counted by reason. Every BrokerOptions::stats_interval the broker publishes
// its own counters as a batch whose source is its broker_id.
//
// Thread-safety: Create, Run and the destructor are called from one thread
// (Run blocks it: that thread becomes the broker's event loop). Stop(),
// counters() and the bound-address accessors are safe from any thread.
#ifndef SONDE_BROKER_H_
#define SONDE_BROKER_H_

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "sonde/status.h"
#include "sonde/wire.h"

namespace spdlog {
class logger;
}

namespace sonde::broker {

struct BrokerOptions {
  // Endpoints. Port 0 binds any free port; read it back from the Broker.
  // "" disables that ingest (at least one of udp and pull must stay on).

  // UDP ingest: one message per datagram.
  // Default: udp://127.0.0.1:7700 (loopback: a first run exposes nothing).
  std::string udp = "udp://127.0.0.1:7700";
  // ZeroMQ PULL ingest (tcp:// or ipc://): one message per ZeroMQ message.
  // Default: tcp://127.0.0.1:7701
  std::string pull = "tcp://127.0.0.1:7701";
  // ZeroMQ PUB fan-out (tcp:// or ipc://). Default: tcp://127.0.0.1:7702
  std::string pub = "tcp://127.0.0.1:7702";

  // Names this broker in every meta frame; sequence numbers count per id.
  // At most kMaxBrokerIdBytes, no control characters.
  // Default: "" meaning "<hostname>:<pid>".
  std::string broker_id;

  // The source (host) of the broker's own stats samples, which carry the tag
  // service=sonde-broker. Stable across restarts (unlike the default
  // broker_id), so its series continue instead of starting over.
  // Default: "" meaning the host name.
  std::string stats_source;

  // How often the broker publishes its own counters as samples; 0 disables.
  // Default: 10 s
  std::chrono::milliseconds stats_interval{10000};

  // Parameters that bound memory and work.

  // Largest message accepted on either transport, in [64, kMaxMessageBytes].
  // Larger UDP datagrams are counted as "oversized"; larger ZeroMQ messages
  // make ZeroMQ drop the sender's connection (ZMQ_MAXMSGSIZE).
  // Default: kMaxMessageBytes (64 KiB)
  size_t max_message_bytes = kMaxMessageBytes;
  // SO_RCVBUF asked for the UDP socket; the kernel may grant less (or, for a
  // privileged process, more than net.core.rmem_max). 0 keeps the default.
  // Default: 32 MiB, about 80 ms of 10 M samples/s, so that a scheduling
  // stall of the loop does not drop datagrams (8 MiB dropped ~0.1 % in
  // bench/broker at that rate). The kernel charges only what is queued.
  int udp_rcvbuf_bytes = 32 << 20;
  // Publications queued per subscriber before ZeroMQ drops for that one
  // subscriber (ZMQ_SNDHWM); it shows up as a sequence gap there.
  // Default: 10000 (about 14 MB per subscriber at 1,400-byte batches)
  int pub_hwm = 10000;
  // Messages ZeroMQ queues on the PULL socket before pushing back on
  // senders (ZMQ_RCVHWM). Default: 10000
  int pull_hwm = 10000;
  // ZeroMQ messages handled per drain pass before yielding to the loop, so
  // that one busy socket cannot starve the other. Default: 512
  int drain_batch = 512;
  // How long closing waits for queued publications to reach subscribers
  // (ZMQ_LINGER on the PUB socket). Default: 1 s
  std::chrono::milliseconds linger{1000};

  // Whether the loop thread (while Run() runs) and ZeroMQ's I/O thread use
  // SCHED_BATCH, so that waking the I/O thread for a publication does not
  // preempt the loop at once (docs/broker.md, "Performance"). Where the
  // kernel refuses, or the thread is real-time, the broker logs it and runs
  // on the default policy. Default: true
  bool batch_scheduling = true;

  // Whether Run() also handles SIGINT and SIGTERM (stop) and SIGHUP (reopen
  // the log file, sonde/log.h) on its loop. For main(); embedders and tests
  // leave signals alone. Default: false
  bool handle_signals = false;

  // Where the broker logs; null means spdlog's default logger.
  // Default: null
  std::shared_ptr<spdlog::logger> logger;

  // OK, or InvalidArgument naming the first bad field.
  Status Validate() const;
};

// Counts of what the transports delivered.
struct TransportCounters {
  uint64_t messages = 0;  // Every message or datagram that arrived, valid or not.
  uint64_t bytes = 0;     // Their bytes.
  uint64_t samples = 0;   // Samples in the valid ones.
};

// A snapshot of the broker's counters since it started.
struct BrokerCounters {
  TransportCounters udp;
  TransportCounters pull;
  // Malformed messages dropped, indexed by WireError (index 0 is unused).
  std::array<uint64_t, kWireErrorCount> malformed{};
  uint64_t malformed_total = 0;
  uint64_t pull_multipart = 0;      // Multi-frame PULL messages dropped (not a batch).
  uint64_t published = 0;           // Publications sent, own stats included.
  uint64_t published_messages = 0;  // Messages in them (a bundle holds several).
  uint64_t published_bytes = 0;     // Their payload bytes.
  uint64_t publish_errors = 0;      // Publications ZeroMQ refused.
  uint64_t stats_published = 0;     // Own-stats publications.
  uint64_t udp_receive_errors = 0;  // Errors from the UDP socket.
  uint64_t udp_kernel_drops = 0;    // Datagrams the kernel dropped (/proc/net/udp).
  int udp_rcvbuf_bytes = 0;         // SO_RCVBUF granted by the kernel.

  // Connections to the PULL socket (libzmq's socket monitor). ZeroMQ drops a
  // message over max_message_bytes together with its sender's connection,
  // and libzmq 4.3 reports that like a peer that closed: it counts only in
  // pull_peer_disconnects. A connection that ends before the ZMTP handshake
  // completes (not ZeroMQ, a TCP health check) counts in both counters.
  int64_t pull_peers = 0;                // Open now, handshake done or not.
  uint64_t pull_peer_disconnects = 0;    // Lost, for any reason.
  uint64_t pull_handshake_failures = 0;  // Ended before the handshake completed.
};

// Renders counters as one `key=value ...` line (nonzero malformed reasons only).
std::string FormatCounters(const BrokerCounters& counters);

class BrokerImpl;

class Broker {
 public:
  // Validates `options`, creates the event loop and binds every socket, so
  // that on return the bound addresses are known and senders may connect.
  // Returns InvalidArgument for bad options or endpoints, IOError when a
  // socket cannot be bound (the message names the endpoint and the reason,
  // e.g. "address already in use"). The caller owns the Broker.
  static Result<std::unique_ptr<Broker>> Create(BrokerOptions options);

  // Stops (if running) and releases every socket and the loop.
  // REQUIRES: Run() is not executing on another thread.
  ~Broker();
  Broker(const Broker&) = delete;
  Broker& operator=(const Broker&) = delete;

  // Runs the event loop on the calling thread until Stop() is called, then
  // publishes final stats, closes every handle and socket and the loop.
  // Returns OK, or IOError when the loop could not be closed cleanly.
  // REQUIRES: called at most once.
  Status Run();

  // Asks Run() to return. Safe from any thread and before Run() starts
  // (Run then returns at once); calling it again has no effect.
  // Not async-signal-safe: deliver signals to a loop or thread (sonde/signals.h).
  void Stop();

  // The broker's id (BrokerOptions::broker_id or its default).
  const std::string& broker_id() const;
  // The source of its own stats (BrokerOptions::stats_source or its default).
  const std::string& stats_source() const;
  // The bound UDP port; 0 when UDP ingest is off.
  int udp_port() const;
  // The bound PULL and PUB endpoints with real ports, e.g.
  // "tcp://127.0.0.1:40123"; the PULL one is "" when PULL ingest is off.
  const std::string& pull_endpoint() const;
  const std::string& pub_endpoint() const;

  // A consistent-enough snapshot (each field is read atomically).
  BrokerCounters counters() const;

 private:
  explicit Broker(std::unique_ptr<BrokerImpl> impl);
  std::unique_ptr<BrokerImpl> impl_;
};

}  // namespace sonde::broker

#endif  // SONDE_BROKER_H_
