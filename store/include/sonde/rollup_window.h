// RollupWindow: the summary of one series over one UTC-aligned minute or
// hour: count, sum, min, max, last (+ its timestamp), a QuantileSketch, and
// the metric kind that says how to read them. This is the unit the store
// persists (docs/storage.md, "Windows").
//
// An hour is the Merge of its minutes: counts and sums add, min/max combine,
// the latest `last` wins, sketches merge exactly. Percentiles are never
// averaged. Derived values:
//   avg()            sum / count (gauges, timings)
//   RatePerSec(now)  sum per second of CoveredMs(now) (counters: the sum is
//                    the increments over the window). A closed window
//                    covers its whole length; an open one only the time
//                    from its start to now, so the current window reads
//                    its true rate, not one diluted by time to come.
//   Quantile(q)      from the sketch, clamped to [min, max]
//
// Open windows: the summarizer writes a window every flush tick while it is
// still receiving samples (open() is true) and once more when it closes. A
// stored window is always replaced whole, never added to, so writing the
// same window twice counts it once.
//
// Folding: an hour window can also be built a minute at a time as minutes
// close (FoldMinute). It remembers which minutes it holds (folded_minutes()),
// so folding the same minute again is a no-op: a replayed flush never counts
// a minute twice, and the summarizer need not keep hour sketches in memory.
//
// Thread-safety: a value type; const methods may run concurrently.
#ifndef SONDE_ROLLUP_WINDOW_H_
#define SONDE_ROLLUP_WINDOW_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sonde/quantile_sketch.h"
#include "sonde/sample.h"
#include "sonde/status.h"

namespace sonde {

enum class Resolution : uint8_t {
  kMinute = 0,
  kHour = 1,
};
inline constexpr int kResolutionCount = 2;

// 60,000 or 3,600,000.
constexpr int64_t ResolutionMs(Resolution r) {
  return r == Resolution::kMinute ? int64_t{60000} : int64_t{3600000};
}
// "minute", "hour".
const char* ResolutionName(Resolution r);
// Parses "minute"/"m"/"by-minute" and "hour"/"h"/"by-hour"; false if unknown.
bool ParseResolution(std::string_view text, Resolution* r);
// The start of the window of resolution `r` that contains `timestamp_ms`
// (floor, also for times before 1970).
int64_t WindowStart(int64_t timestamp_ms, Resolution r);

class RollupWindow {
 public:
  // An empty minute window of a gauge starting at 0.
  RollupWindow() = default;
  // An empty window. REQUIRES: start_ms is aligned to `resolution`.
  RollupWindow(MetricKind kind, Resolution resolution, int64_t start_ms);

  // Empties the window and gives it a new identity, keeping the sketch's
  // buffers (so that a summarizer reusing windows does not allocate).
  // REQUIRES: start_ms is aligned to `resolution`.
  void Reset(MetricKind kind, Resolution resolution, int64_t start_ms);

  // Records one sample. REQUIRES: value is finite. The timestamp decides
  // `last` (the latest wins; on a tie, the later call); the caller decides
  // which window a sample belongs to, this class does not check.
  void Add(double value, int64_t timestamp_ms);

  // Adds `other`'s samples. Returns InvalidArgument, changing nothing, when
  // the kinds differ, other's resolution is coarser than this one's, or
  // other does not start inside this window. An empty `other` is a no-op.
  Status Merge(const RollupWindow& other);

  MetricKind kind() const { return kind_; }
  Resolution resolution() const { return resolution_; }
  int64_t start_ms() const { return start_ms_; }
  int64_t end_ms() const { return start_ms_ + ResolutionMs(resolution_); }  // Exclusive.
  uint64_t count() const { return sketch_.count(); }
  bool empty() const { return sketch_.empty(); }
  double sum() const { return sum_; }
  double min() const { return min_; }  // 0 when empty.
  double max() const { return max_; }  // 0 when empty.
  double last() const { return last_; }
  int64_t last_ms() const { return last_ms_; }
  const QuantileSketch& sketch() const { return sketch_; }

  // Merges a closed minute of this hour unless it was folded before. Returns
  // true when it merged, false when the minute was already in (nothing
  // changes). InvalidArgument, changing nothing, when this is not an hour
  // window, `minute` is not a minute window inside it, or the kinds differ.
  Result<bool> FoldMinute(const RollupWindow& minute);
  // Bit m is set when minute m of this hour was folded in (0 for windows
  // written whole).
  uint64_t folded_minutes() const { return folded_minutes_; }

  // Whether the summarizer may still add samples (see "Open windows").
  bool open() const { return open_; }
  void set_open(bool open) { open_ = open; }

  // sum / count; NaN when empty.
  double avg() const;
  // The time this window's samples span by `now_ms` (ms since the epoch,
  // the reader's clock): its whole length when closed; while open, from its
  // start to now_ms (or to its newest sample, if the reader's clock is
  // behind it), clamped to [10 s, length]: a counter's increment covers the
  // sender's interval (10 s for the agent), so a window read at its very
  // start neither divides by zero nor shows a spike, and one left open past
  // its end (lateness, a crash) reads as its full length.
  int64_t CoveredMs(int64_t now_ms) const;
  // sum per second of CoveredMs(now_ms): the rate of a counter. The one
  // place a window's rate is computed (the HTTP API, liz's /api/perf and
  // `sonde --db` all call it).
  double RatePerSec(int64_t now_ms) const;
  // The q-quantile within QuantileSketch::kRelativeAccuracy, clamped to
  // [min, max] (so Quantile(0) == min and Quantile(1) == max). NaN if empty.
  double Quantile(double q) const;

  // Bytes this window occupies in memory, sketch buffers included.
  size_t MemoryUsage() const;

  // Appends the stored value form (docs/storage.md, "Window value"); the
  // resolution and start are not included: they are in the key.
  void EncodeTo(std::string* out) const;
  // Decodes a value written by EncodeTo for a window of `resolution` that
  // starts at `start_ms`. Strict: returns Corruption (leaving *out
  // unspecified) on truncation, trailing bytes, an unknown version, kind or
  // flag, NaN fields, min > max, or a folded-minutes mask that does not fit
  // the resolution.
  static Status Decode(std::string_view value, Resolution resolution, int64_t start_ms,
                       RollupWindow* out);

  // Reads only the open flag of a stored value (false if it is too short to
  // say); for scans that skip closed windows without decoding them.
  static bool EncodedIsOpen(std::string_view value);

  // Field-by-field equality (sketches compare logically).
  bool operator==(const RollupWindow& other) const;

 private:
  static Status DecodeSingle(std::string_view value, Resolution resolution, int64_t start_ms,
                             RollupWindow* out);

  int64_t start_ms_ = 0;
  int64_t last_ms_ = 0;
  uint64_t folded_minutes_ = 0;
  double sum_ = 0;
  double min_ = 0;
  double max_ = 0;
  double last_ = 0;
  MetricKind kind_ = MetricKind::kGauge;
  Resolution resolution_ = Resolution::kMinute;
  bool open_ = false;
  QuantileSketch sketch_;  // Also holds the count.
};

}  // namespace sonde

#endif  // SONDE_ROLLUP_WINDOW_H_
