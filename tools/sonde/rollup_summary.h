// RollupSummary: one series' windows folded into the figures `sonde get`
// shows on its row, and the per-window values its sparkline draws. Works on
// the windows as the HTTP API serves them (api::WindowStats), so that --db
// and --url give the same figures.
//
// Thread-safety: pure functions over value types.
#ifndef SONDE_TOOLS_SONDE_ROLLUP_SUMMARY_H_
#define SONDE_TOOLS_SONDE_ROLLUP_SUMMARY_H_

#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "sonde/api_json.h"
#include "sonde/sample.h"

namespace sonde::tools {

struct RollupSummary {
  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  uint64_t windows = 0;
  uint64_t count = 0;  // Samples.
  double sum = 0;
  double avg = kNaN;  // sum / count.
  double min = kNaN;
  double max = kNaN;
  // The highest p99 of any window: percentiles are never averaged, and the
  // windows carry no sketch to merge. It bounds the p99 of the whole range
  // from above (at most 1% of each window's samples lie above it).
  double max_p99 = kNaN;
  double rate = kNaN;    // sum per second over [first start, last end): counters.
  int64_t start_ms = 0;  // First window's start.
  int64_t end_ms = 0;    // Last window's end.
};

// Folds windows (ascending by start, as sources return them). Windows
// without samples count for nothing; no windows gives a zero summary.
RollupSummary Summarize(std::span<const api::WindowStats> windows);

// What a series' trend shows per window: the rate per second for counters,
// the average otherwise. NaN for a window without samples.
double TrendValue(const api::WindowStats& window, MetricKind kind);

// TrendValue per slot, slot i being the window that starts at
// first_start_ms + i * step_ms; NaN where the series has none.
std::vector<double> TrendSlots(std::span<const api::WindowStats> windows, MetricKind kind,
                               int64_t first_start_ms, int64_t step_ms, size_t slots);

}  // namespace sonde::tools

#endif  // SONDE_TOOLS_SONDE_ROLLUP_SUMMARY_H_
