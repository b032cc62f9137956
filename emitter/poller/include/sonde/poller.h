// Poller: polls the status pages of many targets at once on one libuv loop,
// with libcurl's multi socket interface (no thread per request).
//
//   uv_loop_t* loop = ...;
//   auto poller = sonde::poller::Poller::Create(loop, options);
//   (*poller)->StartRound(targets,
//       [](const sonde::fleet::TargetRecord& r) { ... one call per target ... },
//       [] { ... the round is over ... });
//   uv_run(loop, UV_RUN_DEFAULT);
//   (*poller)->Close([] {});  uv_run(...);  uv_loop_close(loop) == 0
//
// A round fetches ExpandUrlPattern(url_pattern, target) for every target.
// At most max_connections transfers run at once; the others wait in a queue
// where no timeout runs, so a target's timeouts start when its request does.
// A failure worth retrying (fetch_outcome.h: refused, timeout, 5xx, other)
// is retried up to `retries` times after an exponential backoff, during
// which the slot serves other targets. Each target yields exactly one
// TargetRecord, in completion order.
//
// Memory is O(max_connections * body cap) for transfers plus O(targets) for
// the round's queue; records are handed over, not kept.
//
// Ownership: the loop is not owned and must outlive the Poller.
// Lifecycle (as sonde/uv_loop.h): Close(cb) closes every handle and runs cb
// on the loop; destroying without Close() is allowed too (handles are freed
// by the loop's next run). No callback runs after Cancel(), Close() or the
// destructor.
// Thread-safety: loop thread only.
#ifndef SONDE_POLLER_H_
#define SONDE_POLLER_H_

#include <spdlog/logger.h>
#include <uv.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sonde/status.h"
#include "sonde/status_page.h"
#include "sonde/target.h"
#include "sonde/target_record.h"

namespace sonde::poller {

struct PollerOptions {
  // Turns a target into its status URL; "{host}" is replaced by the target
  // ("host" or "host:port"). http:// or https:// only.
  // Default: "http://{host}/status" (ClusterStats' pattern).
  std::string url_pattern = "http://{host}/status";

  // Transfers in flight at once (ClusterStats -f). 1 to 20,000.
  // Default: 256.
  int max_connections = 256;

  // Connect timeout (ClusterStats -t) and whole-request timeout, each
  // counted from the request's own start. 1 ms to 10 min; connect <= total.
  // Default: 1 s and 5 s.
  std::chrono::milliseconds connect_timeout{1000};
  std::chrono::milliseconds total_timeout{5000};

  // Retries after a retryable failure (ClusterStats -r), 0 to 10; the wait
  // before retry n is retry_backoff * 2^(n-1), at most retry_backoff_max.
  // Default: 3 retries, 200 ms first wait, 5 s longest.
  int retries = 3;
  std::chrono::milliseconds retry_backoff{200};
  std::chrono::milliseconds retry_backoff_max{5000};

  // Largest status page kept; a larger body aborts the transfer
  // (body_too_large). 1 KiB to 64 MiB. Default: 1 MiB.
  uint64_t max_body_bytes = 1 << 20;

  // Largest discovery response (a list of 10,000 servers is ~200 KiB).
  // 1 KiB to 256 MiB. Default: 16 MiB.
  uint64_t max_discovery_bytes = 16 << 20;

  // A transfer slower than low_speed_bytes per second over low_speed_time is
  // aborted (timeout), so that a trickling server cannot hold a slot.
  // low_speed_bytes 0 disables it; low_speed_time is rounded up to whole
  // seconds (curl's granularity), 1 s to 10 min.
  // Default: 1 KiB/s over 2 s.
  uint64_t low_speed_bytes = 1024;
  std::chrono::milliseconds low_speed_time{2000};

  // Redirects followed (http and https only, never another scheme). 0 to 20.
  // Default: 3.
  int max_redirects = 3;

  // Verify TLS certificates and host names. Default: true.
  bool verify_tls = true;

  // User-Agent header. Default: "sonde-poller/<version>".
  std::string user_agent = "sonde-poller/0.1";

  // How status pages are flattened (sonde/status_page.h).
  StatusPageOptions page;

  // Where the poller logs (rate-limited per failure class). Default: null,
  // meaning the default logger.
  std::shared_ptr<spdlog::logger> logger;

  // Returns InvalidArgument naming the first field out of range.
  Status Validate() const;
};

// Where the current round stands. All zero between rounds.
struct RoundProgress {
  uint64_t targets = 0;    // In this round.
  uint64_t done = 0;       // Records delivered.
  uint64_t failed = 0;     // ... of which down.
  uint64_t in_flight = 0;  // Requests in curl now.
  uint64_t waiting = 0;    // Queued for a slot or waiting out a backoff.
};

// Cumulative counts since Create(). libuv callback counts are kept so that
// tests can prove the loop work they expect happened (and nothing leaked).
struct PollerCounters {
  uint64_t rounds_started = 0;
  uint64_t rounds_completed = 0;
  uint64_t requests = 0;  // Requests started, retries included.
  uint64_t retries = 0;
  uint64_t records = 0;  // Records delivered.
  uint64_t records_up = 0;
  uint64_t failures[fleet::kFailureClassCount] = {};  // Records down, by class.
  uint64_t start_errors = 0;    // Requests curl refused to start (recorded as kOther).
  uint64_t fields_dropped = 0;  // Status-page fields over the limits.
  uint64_t discoveries = 0;
  uint64_t discovery_failures = 0;
  // libuv and libcurl glue (src/curl_multi_uv.h).
  uint64_t uv_poll_callbacks = 0;
  uint64_t uv_poll_errors = 0;
  uint64_t uv_timer_callbacks = 0;
  uint64_t sockets_watched = 0;  // Times curl asked to watch a socket.
  uint64_t sockets_closed = 0;   // Times one stopped being watched.
  uint64_t polls_opened = 0;     // uv_poll handles opened (kept-alive connections keep theirs).
  uint64_t watch_failures = 0;
};

class Poller {
 public:
  // The record is the callback's to keep (move from); a callback taking
  // `const fleet::TargetRecord&` works too.
  using RecordFn = std::function<void(fleet::TargetRecord&& record)>;
  using DoneFn = std::function<void()>;
  using DiscoverFn = std::function<void(Result<TargetList> targets)>;

  // Returns InvalidArgument for bad options, IOError when libcurl or libuv
  // refuse to set up.
  static Result<std::unique_ptr<Poller>> Create(uv_loop_t* loop, const PollerOptions& options);

  ~Poller();
  Poller(const Poller&) = delete;
  Poller& operator=(const Poller&) = delete;

  // Starts polling `targets` once each: on_record runs once per target,
  // then on_done once (at once, on the loop, for an empty list).
  // Returns InvalidArgument while a round or discovery runs, or after Close().
  Status StartRound(std::vector<Target> targets, RecordFn on_record, DoneFn on_done);

  // Fetches `url` (a JSON list of servers, sonde/target.h ParseDiscovery)
  // and calls on_done with the targets or the reason there are none
  // (Unavailable for a transport or HTTP failure, Corruption for a body
  // that is no list). Returns InvalidArgument while a round or discovery runs.
  Status Discover(const std::string& url, DiscoverFn on_done);

  // Drops the current round (or discovery): requests in flight are aborted
  // and no further callback of it runs.
  void Cancel();

  // Cancels, then closes every handle; `on_closed` runs on the loop once they
  // are closed. Idempotent.
  void Close(std::function<void()> on_closed);

  bool busy() const;
  RoundProgress progress() const;
  PollerCounters counters() const;
  const PollerOptions& options() const;

  class Impl;

 private:
  explicit Poller(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sonde::poller

#endif  // SONDE_POLLER_H_
