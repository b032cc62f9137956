// RollupSummary: one series' windows folded into the figures `sonde get`
// shows on its row, and the per-window values its sparkline draws.
//
// Thread-safety: pure functions over value types.
#ifndef SONDE_TOOLS_SONDE_ROLLUP_SUMMARY_H_
#define SONDE_TOOLS_SONDE_ROLLUP_SUMMARY_H_

#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "sonde/rollup_window.h"

namespace sonde::tools {

struct RollupSummary {
  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  uint64_t windows = 0;
  uint64_t count = 0;   // Samples.
  double sum = 0;
  double avg = kNaN;    // sum / count.
  double min = kNaN;
  double max = kNaN;
  double p99 = kNaN;    // From the merged sketches (never an average of p99s).
  double rate = kNaN;   // sum per second over [first start, last end): counters.
  int64_t start_ms = 0;  // First window's start.
  int64_t end_ms = 0;    // Last window's end.
};

// Folds windows (ascending by start, as the store returns them). Empty
// windows count for nothing; no windows gives a zero summary.
RollupSummary Summarize(std::span<const RollupWindow> windows);

// What a series' trend shows per window: the rate per second for counters,
// the average otherwise. NaN for an empty window.
double TrendValue(const RollupWindow& window);

// TrendValue per slot, slot i being the window that starts at
// first_start_ms + i * resolution; NaN where the series has none.
std::vector<double> TrendSlots(std::span<const RollupWindow> windows, int64_t first_start_ms,
                               size_t slots);

}  // namespace sonde::tools

#endif  // SONDE_TOOLS_SONDE_ROLLUP_SUMMARY_H_
