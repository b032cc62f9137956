// Store: where rollup windows, the host and series catalog and the latest
// state of every series are kept. The implementation is LMDB (LmdbStore,
// private); the key layout is in docs/storage.md.
//
// One writer, many readers. The summarizer opens the store for writing and
// is its only writer: a second writer (another process, or a second Open of
// the same directory in this process) is refused with Unavailable. Any
// number of processes (the `sonde` tool) open it read-only at the same time
// and see a consistent snapshot per call. Inside one process, share one
// Store: LMDB forbids opening an environment twice in a process, and
// Open refuses it.
//
// What the summarizer calls:
//   at start:        Open(), then LoadOpenWindows() for each resolution to
//                    resume the windows it had open;
//   per flush tick:  Write(batch): one write transaction for the whole batch
//                    (window upserts, latest state, catalog);
//   now and then:    Sweep(now_ms): expiry and the size cap.
// What queries call: ListHosts, ListSeries, ReadRollups, ReadLatest. Each
// runs one short read transaction and copies its results out.
//
// Thread-safety: every method is safe to call from any thread. Write() and
// Sweep() are serialized inside; reads run concurrently with them and with
// each other. Destroy the Store only after every call has returned.
#ifndef SONDE_STORE_H_
#define SONDE_STORE_H_

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sonde/latest_state.h"
#include "sonde/rollup_window.h"
#include "sonde/sample.h"
#include "sonde/series_key.h"
#include "sonde/status.h"
#include "sonde/store_options.h"

namespace sonde {

// One series touched during a flush tick: its identity and latest state.
struct SeriesUpdate {
  // REQUIRED. Shared so that a batch handed to the writer thread costs a
  // reference count, not a copy of the strings.
  std::shared_ptr<const SeriesKey> key;
  // The id an earlier Write() returned for this key, or kNoSeriesId: the
  // store then looks the key up in its catalog (registering it if new) and
  // returns the id in WriteResult::ids. Passing the id skips that lookup.
  SeriesId id = kNoSeriesId;
  MetricKind kind = MetricKind::kGauge;
  double last_value = 0;  // REQUIRED finite.
  int64_t last_ms = 0;    // Time of last_value; also advances the host's last-seen.
};

// One window to store. It replaces any stored window of the same series,
// resolution and start (an upsert of the whole window: writing the same
// window twice counts its samples once).
//
// Hours, two ways (pick one per series):
//  - direct: the summarizer keeps the hour window too and writes it whole
//    every tick, like a minute;
//  - folded: the summarizer keeps minutes only and sets fold_into_hour on the
//    final (closed) write of each minute; in the same transaction the store
//    merges that minute into the stored hour window, once: the hour records
//    which minutes it holds (RollupWindow::FoldMinute), so a replayed flush
//    never counts a minute twice. Queries of the current hour add the minutes
//    still open, so an hour is complete up to the last tick either way.
struct WindowUpdate {
  uint32_t series = 0;  // Index into FlushBatch::series.
  RollupWindow window;  // Its start must be aligned to its resolution.
  // REQUIRES (when true): a closed minute window (open() false).
  bool fold_into_hour = false;
};

// Everything one flush tick writes; applied in one transaction.
struct FlushBatch {
  std::vector<SeriesUpdate> series;
  std::vector<WindowUpdate> windows;

  bool empty() const { return series.empty() && windows.empty(); }
  // Empties the batch, keeping the vectors' capacity.
  void Clear() {
    series.clear();
    windows.clear();
  }
};

struct WriteResult {
  // ids[i] is the id of batch.series[i]; kNoSeriesId when that series was
  // rejected (an id collision the catalog could not resolve: see
  // series_rejected). Keep it for the next Write().
  std::vector<SeriesId> ids;
  uint64_t windows_written = 0;
  uint64_t minutes_folded = 0;   // Into hours; a minute folded before is not counted.
  uint32_t series_rejected = 0;  // Their windows were skipped too.
  uint32_t map_grows = 0;        // Times the map grew (and the batch was replayed).
};

// Windows of one host for one resolution and time range.
struct RollupQuery {
  std::string host;  // REQUIRED.
  // One series (by the id the catalog gives), or kNoSeriesId for every
  // series of the host whose metric name contains `label`.
  SeriesId series = kNoSeriesId;
  // Case-insensitive substring of the metric name, as liz matched labels;
  // "" matches all. Ignored when `series` is set.
  std::string label;
  Resolution resolution = Resolution::kMinute;
  // Windows that overlap [from_ms, to_ms): start < to_ms and end > from_ms.
  int64_t from_ms = std::numeric_limits<int64_t>::min();
  int64_t to_ms = std::numeric_limits<int64_t>::max();
};

struct SeriesRollups {
  LatestState series;
  std::vector<RollupWindow> windows;  // Ascending by start.
};

// Latest state of many series.
struct LatestQuery {
  std::string host;   // "" for every host.
  std::string label;  // Case-insensitive substring of the metric name; "" for all.
  Tags where;         // Every tag=value here must match (sonde latest --where).
};

// A window the summarizer had open when it stopped, with its series.
struct OpenWindow {
  LatestState series;
  RollupWindow window;
};

struct SweepResult {
  uint64_t minute_windows_expired = 0;
  uint64_t hour_windows_expired = 0;
  uint64_t windows_evicted = 0;  // For the size cap, oldest first.
  uint64_t hosts_expired = 0;
  uint64_t series_expired = 0;
  uint32_t transactions = 0;
  uint32_t stale_readers_cleared = 0;
  bool more = false;  // Stopped at sweep_txns_per_call; call again.
};

// Counters since Open, for /metrics. Monotonic except the *_bytes gauges.
struct StoreStats {
  uint64_t writes = 0;        // Write() calls committed.
  uint64_t write_errors = 0;  // Write() calls that failed (shed ones included).
  uint64_t windows_written = 0;
  uint64_t minutes_folded = 0;
  uint64_t folds_skipped = 0;  // Reason "kind_changed": the hour holds another kind.
  uint64_t series_written = 0;
  uint64_t series_registered = 0;  // New catalog entries.
  uint64_t series_collisions = 0;  // Id probes past a colliding key.
  uint64_t series_rejected = 0;    // Collisions that could not be resolved.
  uint64_t map_grows = 0;
  uint64_t map_resizes_adopted = 0;  // MDB_MAP_RESIZED: another process grew the map.
  uint64_t batches_shed = 0;         // Reason "map_limit": max_map_bytes reached.
  uint64_t windows_shed = 0;
  uint64_t windows_expired = 0;
  uint64_t windows_evicted = 0;  // Reason "size_cap".
  uint64_t hosts_expired = 0;
  uint64_t series_expired = 0;
  uint64_t stale_readers_cleared = 0;
  uint64_t map_bytes = 0;   // Current map size.
  uint64_t data_bytes = 0;  // Live pages, as of the last Open/Write/Sweep.
};

class Store {
 public:
  // Opens (a writer creates) the store in options.dir.
  // Errors:
  //   InvalidArgument  options fail Validate(), or the directory is already
  //                    open in this process;
  //   NotFound         read-only and there is no database yet;
  //   Unavailable      another writer holds the directory (its pid is named);
  //   Corruption       "database at DIR has schema 7, this build reads 1",
  //                    not a Sonde database, or a damaged LMDB file;
  //   IOError          the directory or files cannot be created or opened.
  static Result<std::unique_ptr<Store>> Open(const StoreOptions& options);

  Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;
  virtual ~Store() = default;

  // Applies a whole batch in one transaction, or nothing of it.
  // On MDB_MAP_FULL the map grows and the batch is replayed; see
  // StoreOptions::max_map_bytes. Fills *result (may be null).
  // Errors (nothing written):
  //   InvalidArgument    a malformed batch (null or invalid key, a window
  //                      index out of range or an unaligned start, a
  //                      non-finite latest value, fold_into_hour on an open
  //                      or non-minute window), or a read-only store;
  //   ResourceExhausted  the map is at max_map_bytes: the batch is shed and
  //                      counted; queries still work, and Sweep() frees space;
  //   Corruption         a stored catalog record cannot be decoded;
  //   IOError            LMDB or the disk failed (the message names it).
  virtual Status Write(const FlushBatch& batch, WriteResult* result) = 0;

  // Deletes what retention and the size cap say to, as of now_ms, in
  // transactions of at most sweep_keys_per_txn keys; cost is proportional to
  // what is deleted. Also clears stale reader slots. Fills *result (may be
  // null). Errors: InvalidArgument (read-only), IOError, Corruption.
  virtual Status Sweep(int64_t now_ms, SweepResult* result) = 0;

  // Appends every window of `resolution` that starts at or after since_ms and
  // was written open (RollupWindow::open()), with its series, in key order.
  virtual Status LoadOpenWindows(Resolution resolution, int64_t since_ms,
                                 std::vector<OpenWindow>* out) = 0;

  // Replaces *out with every host, sorted by name.
  virtual Status ListHosts(std::vector<HostInfo>* out) = 0;

  // Replaces *out with the series of `host` and their latest state, sorted by
  // metric name then tags. NotFound when the host is unknown.
  virtual Status ListSeries(std::string_view host, std::vector<LatestState>* out) = 0;

  // Replaces *out with the windows the query selects, one entry per series
  // that has any (sorted by metric name then tags). Hour windows built by
  // folding also include the minutes of that hour still open (the current
  // hour so far), and such an hour is open(). NotFound when the host
  // (or the given series) is unknown; an unmatched label gives OK and an
  // empty *out. InvalidArgument for an empty host or from_ms >= to_ms.
  virtual Status ReadRollups(const RollupQuery& query, std::vector<SeriesRollups>* out) = 0;

  // Replaces *out with the latest state of the series the query selects,
  // sorted by host, metric name, tags. NotFound when a given host is unknown.
  virtual Status ReadLatest(const LatestQuery& query, std::vector<LatestState>* out) = 0;

  virtual StoreStats GetStats() const = 0;
};

}  // namespace sonde

#endif  // SONDE_STORE_H_
