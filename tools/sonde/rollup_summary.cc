#include "rollup_summary.h"

#include <algorithm>

#include "sonde/quantile_sketch.h"

namespace sonde::tools {

RollupSummary Summarize(std::span<const RollupWindow> windows) {
  RollupSummary out;
  if (windows.empty()) return out;
  out.windows = windows.size();
  out.start_ms = windows.front().start_ms();
  out.end_ms = windows.back().end_ms();
  QuantileSketch merged;
  for (const RollupWindow& w : windows) {
    if (w.empty()) continue;
    out.min = out.count == 0 ? w.min() : std::min(out.min, w.min());
    out.max = out.count == 0 ? w.max() : std::max(out.max, w.max());
    out.count += w.count();
    out.sum += w.sum();
    merged.Merge(w.sketch());
  }
  if (out.count == 0) return out;
  out.avg = out.sum / static_cast<double>(out.count);
  out.p99 = std::clamp(merged.Quantile(0.99), out.min, out.max);
  const double seconds = static_cast<double>(out.end_ms - out.start_ms) / 1000.0;
  if (seconds > 0) out.rate = out.sum / seconds;
  return out;
}

double TrendValue(const RollupWindow& window) {
  if (window.empty()) return RollupSummary::kNaN;
  return window.kind() == MetricKind::kCounter ? window.RatePerSec() : window.avg();
}

std::vector<double> TrendSlots(std::span<const RollupWindow> windows, int64_t first_start_ms,
                               size_t slots) {
  std::vector<double> out(slots, RollupSummary::kNaN);
  for (const RollupWindow& w : windows) {
    const int64_t offset = w.start_ms() - first_start_ms;
    const int64_t slot = offset / ResolutionMs(w.resolution());
    if (offset < 0 || slot >= static_cast<int64_t>(slots)) continue;
    out[static_cast<size_t>(slot)] = TrendValue(w);
  }
  return out;
}

}  // namespace sonde::tools
