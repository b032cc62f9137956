// The broker's counters, registered once in a CounterRegistry (so that the
// same numbers can be rendered for Prometheus, listed as the broker's own
// samples, and snapshotted as BrokerCounters). The hot path bumps them
// through the pointers kept here, never by name.
//
// Thread-safety: counters are relaxed atomics (sonde/counters.h); any thread
// may read while the loop thread writes.
#ifndef SONDE_BROKER_BROKER_METRICS_H_
#define SONDE_BROKER_BROKER_METRICS_H_

#include <array>
#include <cstdint>

#include "sonde/broker.h"
#include "sonde/counters.h"
#include "sonde/wire.h"

namespace sonde::broker {

// Where a message came in.
enum class Ingest : uint8_t { kUdp = 0, kPull = 1 };
inline constexpr int kIngestCount = 2;
const char* IngestName(Ingest ingest);  // "udp", "pull"

struct BrokerMetrics {
  // Registers every series in `registry` (not owned; must outlive this).
  explicit BrokerMetrics(CounterRegistry* registry);

  struct Received {
    Counter* messages;
    Counter* bytes;
    Counter* samples;
  };
  std::array<Received, kIngestCount> received;
  std::array<Counter*, kWireErrorCount> malformed{};  // [kOk] is null.
  Counter* pull_multipart;
  Gauge* pull_peers;
  Counter* pull_peer_disconnects;
  Counter* pull_handshake_failures;
  Counter* published;
  Counter* published_messages;
  Counter* published_bytes;
  Counter* publish_errors;
  Counter* stats_published;
  Counter* udp_receive_errors;
  Counter* udp_kernel_drops;
  Gauge* udp_rcvbuf_bytes;

  Received& of(Ingest ingest) { return received[static_cast<int>(ingest)]; }

  BrokerCounters Snapshot() const;
};

}  // namespace sonde::broker

#endif  // SONDE_BROKER_BROKER_METRICS_H_
