// RollupEngine: the in-memory rollups of the summarizer (docs/summarizer.md).
//
// Samples arrive as decoded batches (BatchView); each lands in the UTC
// minute window of its series (host + metric name + merged tags). Hours are
// not kept here: each minute, once it can no longer receive samples, is
// written closed with fold_into_hour and the store merges it into its hour
// exactly once (store.h, "Hours, two ways": folded). So a series in memory
// costs one key, one small state and the minute windows that may still
// receive samples: the current one, plus the previous ones while they are
// within the allowed lateness.
//
// Time rules, with now = the caller's wall clock at ingest:
//   - a sample more than max_future ahead of now is rejected ("future");
//   - a minute window accepts samples until its end + lateness; a sample
//     for a window past that is rejected ("late");
//   - at that same time the window closes: the next BuildFlush writes it
//     closed (and folded into its hour) and frees it.
// A series with no window left is evicted at that flush: series that stop
// reporting stop costing memory once their last minute has closed.
//
// Memory: the newest minute of a series is a live RollupWindow; the older
// minutes still within the lateness are kept encoded (RollupWindow::EncodeTo,
// tens of bytes) and decoded only for a late sample or to be written, so a
// series costs about one live window in steady state. The keys of a host's
// series share its host name and tags (KeyScopes).
//
// Hot path (Ingest): the host and batch tags are hashed once per batch; per
// sample the name (and any sample tags) are hashed, the series found through
// an open-addressing table into a slab of states, and the value added to
// the current window. No allocation, string building or system call per
// sample, except when a series is new (its SeriesKey is built then) or a
// sample opens a new minute for its series (the newest window is encoded
// into a small block and its buffers are reused for the new minute).
//
// Flush (BuildFlush): fills a TickBatch with, for every series touched since
// the previous build, its latest state and its touched windows (marked
// open), plus every window that closed (marked closed, folded). The caller
// hands it to the writer thread; ids come back through ApplyIds. At a clean
// shutdown one more BuildFlush writes whatever is still open, open, and a
// restart resumes it (Resume).
//
// Thread-safety: none. One thread (the loop) owns the engine.
#ifndef SONDE_SUMMARIZER_ROLLUP_ENGINE_H_
#define SONDE_SUMMARIZER_ROLLUP_ENGINE_H_

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "key_scopes.h"
#include "series_table.h"
#include "sonde/rollup_window.h"
#include "sonde/series_key.h"
#include "sonde/status.h"
#include "sonde/store.h"
#include "sonde/wire.h"
#include "tag_value_limiter.h"
#include "tick_batch.h"

namespace sonde::summarizer {

struct EngineOptions {
  // How long after its end a minute window still accepts samples.
  // Default: 2 min.
  std::chrono::milliseconds lateness = std::chrono::minutes(2);
  // Samples dated further ahead of the wall clock are rejected.
  // Default: 10 s.
  std::chrono::milliseconds max_future = std::chrono::seconds(10);
  // Series held in memory at most; samples of further new series are
  // rejected ("series_cap"). Default: 1,000,000.
  size_t max_series = 1000000;
  // Distinct values per tag key among the series in memory; a new series
  // bringing one more is rejected ("tag_values_cap"). Default: 10,000.
  size_t max_tag_values = 10000;
  // Windows held in memory above which closed windows still waiting for a
  // busy writer are shed ("writer_backlog"). Default: 4,000,000.
  size_t max_windows = 4000000;

  // InvalidArgument naming the field: lateness < 0 or > 1 h, max_future < 0
  // or > 1 h, a zero cap.
  Status Validate() const;
};

// Why a sample was not added. Stable names (RejectReasonName) for counters.
enum class RejectReason : uint8_t {
  kLate = 0,      // "late": its window closed (end + lateness passed).
  kFuture,        // "future": dated more than max_future ahead.
  kSeriesCap,     // "series_cap": a new series beyond max_series.
  kTagValuesCap,  // "tag_values_cap": a new tag value beyond max_tag_values.
  kKindMismatch,  // "kind_mismatch": a kind other than the series' own.
  kBadKey,        // "bad_key": host/name/tags the store's SeriesKey refuses.
};
inline constexpr int kRejectReasonCount = 6;
const char* RejectReasonName(RejectReason reason);

// Monotonic counts since construction.
struct EngineStats {
  uint64_t batches = 0;
  uint64_t samples = 0;  // Accepted.
  std::array<uint64_t, kRejectReasonCount> rejected{};
  uint64_t series_created = 0;
  uint64_t series_evicted = 0;
  uint64_t windows_opened = 0;
  uint64_t windows_closed = 0;  // Written closed.
  uint64_t windows_shed = 0;    // Closed but dropped unwritten (writer backlog).
  uint64_t resumed_windows = 0;

  uint64_t rejected_total() const {
    uint64_t n = 0;
    for (uint64_t r : rejected) n += r;
    return n;
  }
};

class RollupEngine {
 public:
  // REQUIRES: options.Validate() is OK.
  explicit RollupEngine(EngineOptions options);
  ~RollupEngine();
  RollupEngine(const RollupEngine&) = delete;
  RollupEngine& operator=(const RollupEngine&) = delete;

  // Adds every sample of `batch` as of wall time now_ms. Returns the number
  // accepted; the rest are counted in stats().rejected.
  uint32_t Ingest(const BatchView& batch, int64_t now_ms);

  // Fills *out (after out->Begin()) with what changed since the previous
  // build and what closed as of now_ms, then out->Finish(). Series left
  // without windows are evicted. An empty *out means nothing to write.
  void BuildFlush(int64_t now_ms, TickBatch* out);

  // Records the ids the store gave the series of `batch` (result.ids).
  void ApplyIds(const TickBatch& batch);

  // When more than max_windows windows are held, drops the closed ones (as
  // of now_ms) without writing them; returns how many. For ticks at which the
  // writer is still busy.
  size_t ShedBacklog(int64_t now_ms);

  // Takes back windows a previous run left open (Store::LoadOpenWindows):
  // each resumes in memory, whole, and closes at its usual time.
  void Resume(std::vector<OpenWindow> windows, int64_t now_ms);

  const EngineStats& stats() const { return stats_; }
  const EngineOptions& options() const { return options_; }
  size_t series_count() const { return table_.size(); }
  size_t windows_in_memory() const { return windows_in_memory_; }
  size_t tag_values_of(std::string_view key) const { return limiter_.ValuesOf(key); }

  // Bytes held: slab, table, window pool, sketch buffers, keys (estimated
  // from their string capacities).
  size_t MemoryUsage() const;
  // The part of it mapped directly for huge pages (huge_pages.h), which
  // malloc's statistics do not count.
  size_t MappedBytes() const;

  // The windows held for `key`, newest first; empty if the series is not in
  // memory.
  std::vector<RollupWindow> WindowsForTest(const SeriesKey& key) const;

 private:
  struct OlderWindow;
  struct State;
  // Per-batch values computed once (host hash, batch tags, scope, time limits).
  struct BatchContext {
    uint64_t host_hash = 0;
    uint64_t tag_sum = 0;
    uint32_t tag_count = 0;
    uint32_t scope = KeyScopes::kNone;  // Of (host, batch tags), once known.
    uint64_t scope_hash = 0;
    int64_t close_limit = 0;
    int64_t max_ts = 0;
    int64_t cached_start = std::numeric_limits<int64_t>::min();
  };
  static constexpr size_t kGroup = 32;

  uint32_t IngestGroup(const BatchView& batch, size_t begin, size_t end, BatchContext* ctx);
  // Records the slots a group resolved in the scope's memo (KeyScopes::memo).
  template <typename Item>
  void UpdateMemo(const BatchView& batch, size_t begin, const Item* items, size_t count,
                  uint32_t scope);

  State& At(uint32_t slot);
  const State& At(uint32_t slot) const;
  uint32_t FindSlot(uint64_t hash, uint32_t scope, std::string_view host, std::string_view name,
                    uint32_t tag_count) const;
  uint32_t CreateSeries(const BatchView& batch, const SampleView& sample, uint64_t hash,
                        uint32_t tag_count, BatchContext* ctx);
  uint32_t InsertSeries(std::shared_ptr<const SeriesKey> key, uint64_t hash, MetricKind kind,
                        uint32_t scope);
  void AddSlow(State& s, int64_t window_start, double value, int64_t ts);
  void MarkDirty(State& s, uint32_t slot);
  void EmitSeries(uint32_t slot, int64_t close_limit, TickBatch* out);
  void ScanForClosing(int64_t close_limit);
  void Evict(uint32_t slot);
  // Moves s.cur, encoded, to the front of s's older windows.
  void PushCurToOlder(State& s);
  // Links an older window (encoded from `w`) into s's list, newest first.
  void InsertOlder(State& s, const RollupWindow& w, bool dirty);
  // Re-encodes pool_[index] from `w`.
  void EncodeOlder(uint32_t index, const RollupWindow& w);
  // Decodes pool_[index] into *out.
  void DecodeOlder(uint32_t index, RollupWindow* out) const;
  uint32_t AllocOlder();
  void FreeOlder(uint32_t index);
  int64_t CloseLimit(int64_t now_ms) const;
  void Reject(RejectReason reason) { ++stats_.rejected[static_cast<int>(reason)]; }

  EngineOptions options_;
  EngineStats stats_;
  struct ChunkDeleter {
    void operator()(State* chunk) const;
  };
  std::vector<std::unique_ptr<State, ChunkDeleter>> chunks_;
  std::vector<uint32_t> free_slots_;
  uint32_t slots_used_ = 0;
  SeriesTable table_;
  TagValueLimiter limiter_;
  KeyScopes scopes_;
  std::vector<OlderWindow> pool_;
  std::vector<uint32_t> free_pooled_;
  std::vector<uint32_t> dirty_;
  // Reused for encoding and decoding older windows (no allocation per use).
  std::string scratch_bytes_;
  RollupWindow scratch_window_;
  size_t windows_in_memory_ = 0;
  // The newest minute start found closed by the last closing scan.
  int64_t closed_through_;
};

}  // namespace sonde::summarizer

#endif  // SONDE_SUMMARIZER_ROLLUP_ENGINE_H_
