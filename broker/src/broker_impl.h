// BrokerImpl: the event loop and everything on it (docs/broker.md). Broker
// (sonde/broker.h) forwards to it.
//
// Shape: one libuv loop on the thread that calls Run(). UdpIngest and
// ZmqPullIngest hand each message to the Relay, which validates it and
// bundles it per source; each burst ends with Relay::Flush(), which
// publishes the bundles through the ZmqPublisher (UdpIngest flushes after
// each recvmmsg call, a uv_check handle after each loop iteration's PULL
// drain). A timer publishes SelfStats. Stop()
// wakes the loop through a uv_async; shutdown publishes final stats, closes
// every handle, then the sockets, then the loop.
//
// Thread-safety: as Broker.
#ifndef SONDE_BROKER_BROKER_IMPL_H_
#define SONDE_BROKER_BROKER_IMPL_H_

#include <spdlog/logger.h>
#include <uv.h>

#include <atomic>
#include <memory>
#include <string>
#include <zmq.hpp>

#include "broker_metrics.h"
#include "relay.h"
#include "self_stats.h"
#include "sonde/broker.h"
#include "sonde/counters.h"
#include "sonde/log.h"
#include "sonde/sched.h"
#include "sonde/signals.h"
#include "sonde/uv_loop.h"
#include "udp_ingest.h"
#include "zmq_publisher.h"
#include "zmq_pull_ingest.h"

namespace sonde::broker {

class BrokerImpl {
 public:
  // REQUIRES: options.Validate() is OK and options.broker_id is set.
  explicit BrokerImpl(BrokerOptions options);
  ~BrokerImpl();
  BrokerImpl(const BrokerImpl&) = delete;
  BrokerImpl& operator=(const BrokerImpl&) = delete;

  // Binds every socket and initializes the loop's handles.
  Status Bind();
  Status Run();
  void Stop();

  const BrokerOptions& options() const { return options_; }
  int udp_port() const { return udp_.port(); }
  const std::string& pull_endpoint() const { return pull_.endpoint(); }
  const std::string& pub_endpoint() const { return publisher_.endpoint(); }
  BrokerCounters counters() const { return metrics_.Snapshot(); }

 private:
  Status BindUdp();
  Status StartServing();
  void StartSignals();
  // Reads the counters that are polled rather than bumped: kernel UDP drops
  // (/proc/net/udp) and multipart messages the ZmqWatcher dropped.
  void SyncPolledCounters();
  void PublishStats();
  void BeginShutdown();
  static void OnStopAsync(uv_async_t* handle);
  static void OnStatsTimer(uv_timer_t* handle);
  static void OnFlushCheck(uv_check_t* handle);

  const BrokerOptions options_;
  const std::shared_ptr<spdlog::logger> log_;
  // The loop outlives every handle-owning member below (the destructor
  // closes it first, while they still exist).
  UvLoop loop_;
  CounterRegistry registry_;
  BrokerMetrics metrics_;
  // Dropped input: malformed messages, lost PULL connections.
  RateLimitedLog malformed_log_;
  zmq::context_t context_;  // Outlives the sockets below.
  Status zmq_scheduling_;   // UseBatchSchedulingForZmq's outcome, for the log.
  ZmqPublisher publisher_;
  Relay relay_;
  UdpIngest udp_;
  ZmqPullIngest pull_;
  SelfStats self_stats_;
  uv_async_t stop_async_;
  uv_timer_t stats_timer_;
  uv_check_t flush_check_;
  std::unique_ptr<SignalWatcher> signals_;
  std::atomic<bool> stop_requested_{false};
  bool ran_ = false;
  bool shutting_down_ = false;
  uint64_t udp_drops_seen_ = 0;
  int64_t started_steady_ns_ = 0;
};

}  // namespace sonde::broker

#endif  // SONDE_BROKER_BROKER_IMPL_H_
