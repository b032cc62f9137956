// sonde-summarizer as a library (docs/summarizer.md): subscribes to one or
// more brokers, keeps by-minute rollups (hours are folded from closed
// minutes by the store) and the latest state of every series, writes them
// to the LMDB store every flush tick from a writer thread (swap and flush),
// and serves them over HTTP (docs/http-api.md).
//
//   sonde::summarizer::SummarizerOptions o;
//   o.data_dir = "/var/lib/sonde";
//   auto s = sonde::summarizer::Summarizer::Create(o);   // opens, binds
//   if (!s.has_value()) ...
//   (*s)->Run();   // until Stop() or SIGINT/SIGTERM (handle_signals)
//
// Crash safety: open windows are written (marked open) every tick and
// resumed at the next start, so after `kill -9` at most the last tick is
// lost and nothing is counted twice (the store replaces windows whole and
// folds each minute into its hour once). A clean stop flushes everything.
//
// Thread-safety: Create, Run and the destructor from one thread at a time
// (Run blocks it: it becomes the event loop). Stop(), http_port() and
// counters() are safe from any thread.
#ifndef SONDE_SUMMARIZER_H_
#define SONDE_SUMMARIZER_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sonde/clock.h"
#include "sonde/status.h"

namespace spdlog {
class logger;
}

namespace sonde::summarizer {

struct SummarizerOptions {
  // Broker PUB endpoints to subscribe to (tcp:// or ipc://); at least one.
  // Default: {"tcp://127.0.0.1:7702"} (the broker's default PUB).
  std::vector<std::string> from = {"tcp://127.0.0.1:7702"};

  // Where the LMDB store lives. REQUIRED: main() resolves the default
  // (DefaultDataDir(): $SONDE_DATA_DIR, $XDG_STATE_HOME/sonde,
  // ~/.local/state/sonde). Default: "".
  std::string data_dir;

  // HTTP API address, "host:port" ("[::1]:7780" for IPv6); port 0 picks a
  // free one (http_port()); "" disables HTTP.
  // Default: "127.0.0.1:7780" (loopback: a first run exposes nothing).
  std::string http = "127.0.0.1:7780";

  // How often touched windows and latest states are written (one LMDB
  // transaction each). At most this much is lost on kill -9.
  // Default: 1 s.
  std::chrono::milliseconds flush_interval = std::chrono::seconds(1);

  // How long after its end a minute window still accepts samples; older
  // ones are counted as late and dropped. Default: 2 min.
  std::chrono::milliseconds lateness = std::chrono::minutes(2);
  // Samples dated further ahead of this host's clock are dropped.
  // Default: 10 s.
  std::chrono::milliseconds max_future = std::chrono::seconds(10);

  // Retention of minute and hour windows in the store (changing them takes
  // effect at the next sweep; nothing is rewritten). Default: 1 h and 24 h,
  // as liz.
  std::chrono::milliseconds minute_retention = std::chrono::hours(1);
  std::chrono::milliseconds hour_retention = std::chrono::hours(24);
  // How often expiry and the size cap run (on the writer thread).
  // Default: 10 s.
  std::chrono::milliseconds sweep_interval = std::chrono::seconds(10);

  // Hard limit on the LMDB map; at it, writes are shed and counted while
  // queries keep working. The size cap (oldest windows evicted first) is
  // 3/4 of it. Default: 4 GiB.
  uint64_t max_db_size = uint64_t{4} << 30;

  // Series held in memory at most (new ones beyond are rejected and
  // counted). Default: 1,000,000.
  size_t max_series = 1000000;
  // Distinct values per tag key among those series. Default: 10,000.
  size_t max_tag_values = 10000;
  // Windows in memory above which closed ones waiting for a busy writer are
  // shed (counted, reason writer_backlog). Default: 4,000,000.
  size_t max_windows = 4000000;

  // Publications queued on the SUB socket before ZeroMQ drops (seen as
  // sequence gaps). Default: 50,000.
  int sub_hwm = 50000;

  // Run the loop thread (from Run() on) and ZeroMQ's I/O thread on
  // SCHED_BATCH (sonde/sched.h says why); refused or real-time: logged, and
  // the default policy stays. Default: true.
  bool batch_scheduling = true;

  // Handle SIGINT/SIGTERM (clean stop) and SIGHUP (reopen the log file) on
  // the loop. For main(); tests and embedders leave signals alone.
  // Default: false.
  bool handle_signals = false;

  // Time source for sample windows and queries. Default: nullptr (the real
  // clock). Not owned; must outlive the Summarizer.
  const Clock* clock = nullptr;

  // Where the summarizer logs ("sonde.summarizer"); null: the default
  // logger. Default: null.
  std::shared_ptr<spdlog::logger> logger;

  // OK, or InvalidArgument naming the first bad field: no --from or a
  // malformed one, empty data_dir, a malformed http address, flush_interval
  // outside [10 ms, 1 min], lateness or max_future outside [0, 1 h], a
  // retention shorter than its window (1 min, 1 h), sweep_interval outside
  // [1 s, 1 h], max_db_size below 1 MiB or above 1 TiB, a zero cap,
  // sub_hwm < 1.
  Status Validate() const;
};

// A snapshot of the summarizer's main counters (all of them are on /metrics).
struct SummarizerCounters {
  uint64_t batches = 0;    // Decoded and fed to the rollups (bus + HTTP).
  uint64_t samples = 0;    // Accepted into rollups.
  uint64_t rejected = 0;   // Samples dropped, all reasons.
  uint64_t late = 0;       // Of which too late.
  uint64_t malformed = 0;  // Bus messages or batches dropped.
  uint64_t bus_gaps = 0;   // Publications missed.
  uint64_t series_active = 0;
  uint64_t flushes = 0;  // Store writes committed.
  uint64_t flush_errors = 0;
  uint64_t windows_written = 0;
  uint64_t http_ingest_samples = 0;
};

class SummarizerImpl;

class Summarizer {
 public:
  // Validates options, opens the store (resuming the windows a previous run
  // left open), connects the SUB socket and binds HTTP, so that on return
  // http_port() is known. Returns InvalidArgument for bad options,
  // Unavailable when another summarizer holds the data directory or the
  // HTTP address is taken, Corruption for a damaged or incompatible
  // database, IOError otherwise. The caller owns the Summarizer.
  static Result<std::unique_ptr<Summarizer>> Create(SummarizerOptions options);

  // Stops (if running) and releases everything.
  // REQUIRES: Run() is not executing on another thread.
  ~Summarizer();
  Summarizer(const Summarizer&) = delete;
  Summarizer& operator=(const Summarizer&) = delete;

  // Runs the loop on the calling thread until Stop() (or a signal, with
  // handle_signals), then stops ingest, writes everything still held and
  // closes. Returns OK, or the last store error (IOError, ...) when the
  // final flush failed. REQUIRES: called at most once.
  Status Run();

  // Asks Run() to finish. Safe from any thread, before or during Run().
  void Stop();

  // The bound HTTP port, 0 when HTTP is disabled.
  uint16_t http_port() const;

  // Safe from any thread (each field is read atomically).
  SummarizerCounters counters() const;

 private:
  explicit Summarizer(std::unique_ptr<SummarizerImpl> impl);
  std::unique_ptr<SummarizerImpl> impl_;
};

}  // namespace sonde::summarizer

#endif  // SONDE_SUMMARIZER_H_
