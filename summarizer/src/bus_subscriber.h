// BusSubscriber: the summarizer's ZeroMQ SUB ingest. One SUB socket,
// subscribed to everything, connected to every broker endpoint given
// (ZeroMQ fair-queues between them), delivered on the loop by common's
// ZmqWatcher.
//
// Each publication is three frames (wire.h, "Bus"): topic, meta, payload.
// The meta frame is decoded and its sequence checked per broker id: a jump
// from n to n + k + 1 counts k missed publications (a gap: the broker's PUB
// high-water mark dropped them for us, or the network did); a sequence that
// goes back means the broker restarted. The payload holds one or more
// messages of one source, decoded once by DecodeBusPayload (all or
// nothing); each decoded batch is handed to `on_batch` in order. Bad
// publications are counted by reason and logged rate-limited.
//
// This file is the summarizer's one adapter for cppzmq: zmq::error_t does
// not leave it.
//
// Lifecycle: see sonde/uv_loop.h. Thread-safety: loop thread only.
#ifndef SONDE_SUMMARIZER_BUS_SUBSCRIBER_H_
#define SONDE_SUMMARIZER_BUS_SUBSCRIBER_H_

#include <spdlog/logger.h>
#include <uv.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>
#include <zmq.hpp>

#include "sonde/counters.h"
#include "sonde/log.h"
#include "sonde/status.h"
#include "sonde/wire.h"
#include "sonde/zmq_watcher.h"

namespace sonde::summarizer {

class BusSubscriber {
 public:
  // Views into the publication: valid during the call only.
  using BatchFn = std::function<void(const BatchView& batch)>;

  struct Options {
    std::vector<std::string> endpoints;  // REQUIRED non-empty: tcp:// or ipc://.
    int rcvhwm = 50000;                  // Publications queued before ZeroMQ drops.
    std::shared_ptr<spdlog::logger> logger;
    CounterRegistry* counters = nullptr;  // REQUIRED; not owned.
  };

  struct Stats {
    uint64_t messages = 0;
    uint64_t gaps = 0;      // Publications missed, all brokers.
    uint64_t restarts = 0;  // Sequence restarts.
    uint64_t malformed = 0;
  };

  // Connects (ZeroMQ connects lazily: an absent broker is not an error).
  // Returns InvalidArgument for a malformed endpoint, IOError otherwise.
  static Result<std::unique_ptr<BusSubscriber>> Start(uv_loop_t* loop, zmq::context_t* context,
                                                      Options options, BatchFn on_batch);
  ~BusSubscriber();
  BusSubscriber(const BusSubscriber&) = delete;
  BusSubscriber& operator=(const BusSubscriber&) = delete;

  // Stops delivery at once; `on_closed` runs when the watcher's handles are
  // closed. The socket closes when the subscriber is destroyed. Idempotent.
  void Close(std::function<void()> on_closed = {});

  const Stats& stats() const { return stats_; }

  // Seconds since the last publication arrived; -1 before the first. Also
  // the gauge bus_last_publication_age_seconds, so a silent bus (broker
  // down, wrong endpoint) can be alerted on. Any thread.
  int64_t SecondsSinceLastPublication() const;

 private:
  BusSubscriber(Options options, BatchFn on_batch);
  void OnMessage(std::span<zmq::message_t> parts);
  void CheckSequence(std::string_view broker_id, uint64_t sequence);
  void CountMalformed(const char* reason);

  Options options_;
  BatchFn on_batch_;
  uv_loop_t* loop_ = nullptr;
  // uv_now() of the last one; atomic because counters (and so the gauge)
  // may be read from any thread.
  std::atomic<int64_t> last_publication_ms_{-1};
  std::shared_ptr<spdlog::logger> log_;
  RateLimitedLog limited_;
  std::unique_ptr<zmq::socket_t> socket_;
  std::unique_ptr<ZmqWatcher> watcher_;
  Stats stats_;
  struct BrokerState {
    uint64_t last_sequence = 0;
    Counter* gaps = nullptr;
  };
  // At most kMaxTrackedBrokers; std::less<> finds a broker id by view, so
  // looking one up costs no string per publication.
  std::map<std::string, BrokerState, std::less<>> brokers_;
  Counter* messages_ = nullptr;
  Counter* restarts_ = nullptr;
  BusBatches bundle_;  // Reused by every publication.
};

}  // namespace sonde::summarizer

#endif  // SONDE_SUMMARIZER_BUS_SUBSCRIBER_H_
